import ts from "typescript";
import type { RawField } from "../rawSchema.ts";
import { propertyNameText } from "./ast.ts";
import type { IssueCollector } from "./issues.ts";
import { type MapContext, mapType } from "./mapType.ts";

/**
 * Reads a model's fields from its interface declarations: one RawField per property, in order.
 * `name?: T` and `name: T | null` are not required; everything else is. Array fields are always
 * required (stored NOT NULL DEFAULT '{}'), as `f.array` is in the DSL, so an optional array is an error.
 */
export function readInterfaceFields(
  model: string,
  declarations: readonly ts.InterfaceDeclaration[],
  ctx: MapContext,
  issues: IssueCollector,
): Record<string, RawField> {
  const fields: Record<string, RawField> = {};
  for (const declaration of declarations) {
    if (declaration.typeParameters?.length) issues.report(model, "fields", `interface ${model} must not be generic`, declaration);
    if (declaration.heritageClauses?.length) {
      issues.report(model, "fields", `interface ${model} must declare its fields itself (no 'extends')`, declaration.heritageClauses[0]);
    }
    for (const member of declaration.members) {
      const name = member.name ? propertyNameText(member.name) : undefined;
      const key = name === undefined ? "fields" : `fields.${name}`;
      if (!ts.isPropertySignature(member) || name === undefined || !member.type) {
        issues.report(model, key, "only typed properties (`name: Type` or `name?: Type`) are allowed in a model interface", member);
        continue;
      }
      if (Object.hasOwn(fields, name)) {
        issues.report(model, key, `field '${name}' is declared twice`, member);
        continue;
      }
      const mapped = mapType(member.type, ctx);
      if ("error" in mapped) {
        issues.report(model, key, mapped.error, mapped.node);
        continue;
      }
      const optional = member.questionToken !== undefined || mapped.nullable;
      if (mapped.type === "array" && optional) {
        issues.report(model, key, "array fields are never null (stored as an empty list); declare it without '?' and '| null'", member);
        continue;
      }
      fields[name] = {
        type: mapped.type,
        ...(optional ? {} : { required: true }),
        ...(mapped.enum ? { enum: mapped.enum } : {}),
        ...(mapped.items ? { items: mapped.items } : {}),
      };
    }
  }
  return fields;
}
