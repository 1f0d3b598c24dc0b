import ts from "typescript";
import type { SchemaIssue } from "../SchemaLoadError.ts";

/** Collects reader problems, each naming model and key and pointing at the source position. */
export class IssueCollector {
  readonly issues: SchemaIssue[] = [];
  constructor(private readonly sourceFile: ts.SourceFile) {}

  /** `at` is the node, or the character position, the problem is found at. */
  report(model: string, key: string, message: string, at?: ts.Node | number): void {
    this.issues.push({ model, key, message: at === undefined ? message : `${message} (${this.where(at)})` });
  }

  private where(at: ts.Node | number): string {
    const position = typeof at === "number" ? at : at.getStart(this.sourceFile);
    const { line, character } = this.sourceFile.getLineAndCharacterOfPosition(position);
    return `${this.sourceFile.fileName}:${line + 1}:${character + 1}`;
  }
}
