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
  const internal = new EngineError("INTERNAL", "internal error while accessing the database");
  (internal as Error & { cause?: unknown }).cause = error;
  return internal;
}

function extractConstraint(message: string | undefined): string | undefined {
  return message ? /constraint "([^"]+)"/.exec(message)?.[1] : undefined;
}
