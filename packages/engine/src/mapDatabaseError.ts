// Turns PostgreSQL errors that user input can cause into typed engine errors with field paths.
// Anything else is INTERNAL with a generic message: SQL text and constraint internals never leak.
import type { ModelIR, SchemaIR } from "@tessera/schema";
import { foreignKeyName, uniqueIndexName } from "@tessera/db";
import { EngineError, validationFailed } from "./EngineError.ts";

interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
  message?: string;
}

export function mapDatabaseError(error: unknown, schema: SchemaIR, model: ModelIR): Error {
  if (error instanceof EngineError) return error;
  const pg = error as PgError;
  const constraint = pg.constraint ?? extractConstraint(pg.message);
  switch (pg.code) {
    case "23505": {
      for (const m of schema.models) {
        const field = m.fields.find((f) => uniqueIndexName(m, f) === constraint);
        if (field) return validationFailed([{ path: ["data", field.name], message: `another ${m.name} already has this ${field.name}`, rule: "unique" }]);
      }
      if (constraint?.endsWith("_pkey")) return validationFailed([{ path: ["data", model.primaryKey], message: `a ${model.name} with this ${model.primaryKey} already exists`, rule: "unique" }]);
      break;
    }
    case "23503": {
      // Raised on destroy when other rows still point at this one (ON DELETE RESTRICT).
      for (const m of schema.models) {
        const field = m.fields.find((f) => foreignKeyName(m, f) === constraint);
        if (field && m !== model) {
          return new EngineError("CONFLICT", `${model.name} is still referenced by ${m.name}.${field.name}; delete or reassign those ${m.plural} first`);
        }
        if (field) return validationFailed([{ path: ["data", field.name], message: `${field.name} refers to a record that does not exist`, rule: "exists" }]);
      }
      return new EngineError("CONFLICT", `${model.name} is still referenced by other records`);
    }
    case "40001":
    case "40P01":
      return new EngineError("CONFLICT", "the write collided with a concurrent write; retry it");
    case "42501":
      return new EngineError("FORBIDDEN", "the database refused access to this row (row-level security)");
  }
  if (pg.code === "54000" && /index row size/.test(pg.message ?? "")) {
    const refused = new EngineError("VALIDATION_FAILED", "a text value is too long for the index on its field (SQLSTATE 54000); shorten it");
    (refused as Error & { cause?: unknown }).cause = error;
    return refused;
  }
  // Class 22 (data exception) is a value PostgreSQL refused. Validation is meant to refuse such
  // values first, with their path; this net keeps one it missed from passing as INTERNAL (the field
  // is unknown here, and PostgreSQL's own text, which quotes SQL-side details, is not shown).
  if (typeof pg.code === "string" && pg.code.startsWith("22")) {
    const refused = new EngineError("VALIDATION_FAILED", `${DATA_EXCEPTIONS[pg.code] ?? "a value was refused by the database as invalid for its field"} (SQLSTATE ${pg.code}); check the values sent`);
    (refused as Error & { cause?: unknown }).cause = error;
    return refused;
  }
  const internal = new EngineError("INTERNAL", "internal error while accessing the database");
  (internal as Error & { cause?: unknown }).cause = error;
  return internal;
}

/** What the common data exceptions mean for the person who sent the value. */
const DATA_EXCEPTIONS: Readonly<Record<string, string>> = {
  "22001": "a text value is longer than its field allows",
  "22003": "a number is outside the range its field can hold",
  "22007": "a date or date-time is not in a format the database reads",
  "22008": "a date or date-time is outside the range the database accepts (years 0001 to 9999)",
  "22009": "a time zone offset is outside -15:59 to +15:59",
  "22021": "a text value contains bytes that are not valid in the database's encoding",
  "22P02": "a value is not in the form its field type needs",
  "22P05": "a value contains a character the database cannot store (such as \\u0000)",
};

function extractConstraint(message: string | undefined): string | undefined {
  return message ? /constraint "([^"]+)"/.exec(message)?.[1] : undefined;
}
