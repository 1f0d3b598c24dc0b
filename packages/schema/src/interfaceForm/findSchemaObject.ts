import ts from "typescript";
import { isExported, unwrapExpression } from "./ast.ts";

/** The initializer of `export const schema = …`, or undefined when the file has none. */
export function findSchemaObject(sourceFile: ts.SourceFile): ts.Expression | undefined {
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement) || !isExported(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === "schema" && declaration.initializer) {
        return unwrapExpression(declaration.initializer);
      }
    }
  }
  return undefined;
}
