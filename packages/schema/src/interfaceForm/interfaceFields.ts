import ts from "typescript";
import type { FieldType } from "../ir.ts";
import type { RawField } from "../rawSchema.ts";
import { propertyNameText } from "./ast.ts";
import type { IssueCollector } from "./issues.ts";
import { type MapContext, mapType } from "./mapType.ts";

/**
 * Reads a model's fields from its interface declarations: one RawField per property, in order.
 * `name?: T` and `name: T | null` are not required; everything else is. Array fields are always
 * required (stored NOT NULL DEFAULT '{}'), as `f.array` is in the DSL, so an optional array is an error.
 *
 * An interface describes the record as the API returns it, so it may declare the system fields
 * every model has (the primary key, createdAt, updatedAt, deletedAt, version). Those are checked
 * against their real types and left out of the fields: Tessera adds them itself.
 */
export function readInterfaceFields(
  model: string,
  declarations: readonly ts.InterfaceDeclaration[],
  ctx: MapContext,
  issues: IssueCollector,
  primaryKey = "id",
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
      const system = systemFieldShape(name, primaryKey);
      if (system) {
        const error = checkSystemField(name, system, mapped.type, mapped.nullable, optional, member.type.getText());
        if (error) issues.report(model, key, error, member);
        continue;
      }
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

interface SystemFieldShape {
  /** IR types the declared TypeScript type may map to. */
  types: readonly FieldType[];
  /** How to write it, for the error message. */
  spelling: string;
  /** Null until something happens (deletedAt), so it must be declared `| null` or optional. */
  nullable: boolean;
  what: string;
}

const TIMESTAMP = ["datetime", "string"] as const;
const SYSTEM_FIELD_SHAPES: Readonly<Record<string, SystemFieldShape>> = {
  createdAt: { types: TIMESTAMP, spelling: "Date, DateTime or string", nullable: false, what: "the creation time, set by Tessera" },
  updatedAt: { types: TIMESTAMP, spelling: "Date, DateTime or string", nullable: false, what: "the last update time, set by Tessera" },
  deletedAt: { types: TIMESTAMP, spelling: "Date | null, DateTime | null or string | null", nullable: true, what: "the soft-delete time, null while the record is live" },
  version: { types: ["int", "float"], spelling: "Int or number", nullable: false, what: "the optimistic-locking version, set by Tessera" },
};
const PRIMARY_KEY: SystemFieldShape = { types: ["id", "string"], spelling: "ID or string", nullable: false, what: "the primary key, a uuid set by Tessera" };

function systemFieldShape(name: string, primaryKey: string): SystemFieldShape | undefined {
  if (name === primaryKey) return PRIMARY_KEY;
  return Object.hasOwn(SYSTEM_FIELD_SHAPES, name) ? SYSTEM_FIELD_SHAPES[name] : undefined;
}

/** An error when a declared system field's type is not what the record really carries. */
function checkSystemField(name: string, shape: SystemFieldShape, type: FieldType, nullable: boolean, optional: boolean, written: string): string | undefined {
  if (!shape.types.includes(type)) return `'${name}' is ${shape.what}: declare it ${shape.spelling}, not ${written}`;
  // `?` alone is accepted everywhere: a type for records not yet saved leaves the system fields out.
  if (shape.nullable && !optional) return `'${name}' is ${shape.what}: declare it ${shape.spelling}`;
  if (!shape.nullable && nullable) return `'${name}' is ${shape.what} and never null: declare it ${shape.spelling}, not ${written}`;
  return undefined;
}
