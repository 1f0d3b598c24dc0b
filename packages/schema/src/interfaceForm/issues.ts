import ts from "typescript";
import type { SchemaIssue } from "../SchemaLoadError.ts";

/** Collects reader problems, each naming model and key and pointing at the source position. */
export class IssueCollector {
  readonly issues: SchemaIssue[] = [];
  constructor(private readonly sourceFile: ts.SourceFile) {}

  report(model: string, key: string, message: string, node?: ts.Node): void {
    this.issues.push({ model, key, message: node ? `${message} (${this.where(node)})` : message });
  }

  private where(node: ts.Node): string {
    const { line, character } = this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile));
    return `${this.sourceFile.fileName}:${line + 1}:${character + 1}`;
  }
}
