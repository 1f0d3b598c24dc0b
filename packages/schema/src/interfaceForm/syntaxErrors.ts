import ts from "typescript";
import type { IssueCollector } from "./issues.ts";

/**
 * Reports TypeScript syntax errors in the parsed file, so a malformed file is never read as a
 * partial schema. A one-file program (no lib, no imports resolved) exposes the parser's diagnostics.
 */
export function reportSyntaxErrors(sourceFile: ts.SourceFile, issues: IssueCollector): void {
  const host: ts.CompilerHost = {
    getSourceFile: () => sourceFile,
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: () => true,
    readFile: () => undefined,
  };
  const program = ts.createProgram({ rootNames: [sourceFile.fileName], options: { noLib: true, noResolve: true, types: [] }, host });
  for (const diagnostic of program.getSyntacticDiagnostics(sourceFile)) {
    issues.report("schema", "syntax", ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"), diagnostic.start);
  }
}
