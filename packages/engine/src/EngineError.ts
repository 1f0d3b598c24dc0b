// Typed errors with the codes the API exposes (PRODUCT.md row 9).

export type ErrorCode = "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "VALIDATION_FAILED" | "CONFLICT" | "RATE_LIMITED" | "INTERNAL";

export interface FieldError {
  /** Path to the offending input, e.g. ["data", "email"] or ["where", "stage_in", 2]. */
  path: (string | number)[];
  message: string;
  /** Which rule failed: "required", "max", "unique", "type", "unknown_field", "unknown_operator", … */
  rule: string;
}

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = "EngineError";
  }
}

export function validationFailed(fieldErrors: FieldError[]): EngineError {
  const summary = fieldErrors
    .slice(0, 5)
    .map((e) => `${e.path.join(".")}: ${e.message}`)
    .join("; ");
  return new EngineError("VALIDATION_FAILED", `Validation failed: ${summary}${fieldErrors.length > 5 ? "; …" : ""}`, fieldErrors);
}

export function notFound(model: string, id: unknown): EngineError {
  return new EngineError("NOT_FOUND", `${model} ${String(id)} was not found`);
}
