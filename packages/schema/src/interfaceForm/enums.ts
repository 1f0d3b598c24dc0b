import ts from "typescript";
import type { IssueCollector } from "./issues.ts";
import { isExported, propertyNameText } from "./ast.ts";

export interface EnumInfo {
  name: string;
  exported: boolean;
  /** Member values in declaration order (each equal to its member name). */
  values: string[];
}

/**
 * Reads every top-level enum. Only string enums whose member values equal their names are accepted,
 * so enum values appear in the IR exactly as declared.
 */
export function collectEnums(sourceFile: ts.SourceFile, issues: IssueCollector): Map<string, EnumInfo> {
  const enums = new Map<string, EnumInfo>();
  for (const statement of sourceFile.statements) {
    if (!ts.isEnumDeclaration(statement)) continue;
    const name = statement.name.text;
    const info = enums.get(name) ?? { name, exported: false, values: [] };
    info.exported ||= isExported(statement);
    for (const member of statement.members) {
      const memberName = propertyNameText(member.name as ts.PropertyName);
      const key = `${name}.${memberName ?? member.name.getText(sourceFile)}`;
      if (memberName === undefined) {
        issues.report("enums", key, "enum member names must be identifiers or string literals", member);
        continue;
      }
      const init = member.initializer;
      if (!init || !(ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init))) {
        issues.report("enums", key, `enum ${name} must be a string enum: write ${memberName} = "${memberName}"`, member);
        continue;
      }
      if (init.text !== memberName) {
        issues.report("enums", key, `enum member ${memberName} has value "${init.text}"; the value must equal the member name`, member);
        continue;
      }
      info.values.push(memberName);
    }
    enums.set(name, info);
  }
  return enums;
}
