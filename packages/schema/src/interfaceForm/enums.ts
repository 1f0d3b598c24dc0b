import ts from "typescript";
import type { IssueCollector } from "./issues.ts";
import { isExported, propertyNameText } from "./ast.ts";

export interface EnumInfo {
  name: string;
  exported: boolean;
  /** Member values in declaration order: what is stored, and what the API shows. */
  values: string[];
  /** Member name → value (`JUNIOR` → "junior"), so `Seniority.JUNIOR` in a default reads as "junior". */
  members: Map<string, string>;
}

/**
 * Reads every top-level enum. Only string enums are accepted; a member's value is what the IR
 * records (member names are TypeScript spelling only, as at run time: `Seniority.JUNIOR === "junior"`).
 */
export function collectEnums(sourceFile: ts.SourceFile, issues: IssueCollector): Map<string, EnumInfo> {
  const enums = new Map<string, EnumInfo>();
  for (const statement of sourceFile.statements) {
    if (!ts.isEnumDeclaration(statement)) continue;
    const name = statement.name.text;
    const info = enums.get(name) ?? { name, exported: false, values: [], members: new Map<string, string>() };
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
      if (info.members.has(memberName)) {
        issues.report("enums", key, `enum member ${memberName} is declared twice`, member);
        continue;
      }
      // Two members with one value would be one label under two names: the normaliser reports the
      // value as declared twice, so only member names are checked here.
      info.members.set(memberName, init.text);
      info.values.push(init.text);
    }
    enums.set(name, info);
  }
  return enums;
}
