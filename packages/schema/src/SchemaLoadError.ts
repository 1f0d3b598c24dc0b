export interface SchemaIssue {
  /** The model the problem is in, or "config" / "enums". */
  model: string;
  /** Dotted path of the offending key inside that model, e.g. "fields.email.rules". */
  key: string;
  message: string;
}

/** Thrown when a schema cannot be loaded; lists every problem found, each naming model and key. */
export class SchemaLoadError extends Error {
  readonly code = "SCHEMA_INVALID";
  constructor(readonly issues: SchemaIssue[]) {
    super(
      `Schema is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.model}.${i.key}: ${i.message}`).join("\n"),
    );
    this.name = "SchemaLoadError";
  }
}
