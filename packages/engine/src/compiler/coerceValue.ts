// Checks a value given in the API against a field's type before it reaches SQL, so that a bad
// value is a VALIDATION_FAILED with a path, never a raw PostgreSQL error.
import type { SchemaIR } from "@tessera/schema";
import { findEnum, type ValueType } from "./sqlTypes.ts";
import { UUID_PATTERN } from "@tessera/schema";

export { UUID_PATTERN };
const DECIMAL_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const FLOAT_TEXT_PATTERN = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|-?Infinity)$/;
const INT_TEXT_PATTERN = /^[+-]?\d{1,10}$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (message: string): Coerced => ({ ok: false, message });

/**
 * Validates one value of the given type and returns the parameter value to bind.
 * `fromText` accepts the text forms PostgreSQL produced (cursor values).
 */
export function coerceValue(schema: SchemaIR, type: ValueType, value: unknown, fromText = false): Coerced {
  switch (type.type) {
    case "id":
      return typeof value === "string" && UUID_PATTERN.test(value) ? ok(value) : fail("must be a uuid");
    case "string":
    case "text":
      if (typeof value !== "string") return fail("must be a string");
      return value.includes("\u0000") ? fail("must not contain NUL characters") : ok(value);
    case "int":
      if (fromText && typeof value === "string" && INT_TEXT_PATTERN.test(value)) value = Number(value);
      return typeof value === "number" && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
        ? ok(value)
        : fail("must be a 32-bit integer");
    case "float":
      if (fromText && typeof value === "string" && FLOAT_TEXT_PATTERN.test(value)) return ok(value);
      return typeof value === "number" && Number.isFinite(value) ? ok(value) : fail("must be a finite number");
    case "decimal":
    case "money":
      if (typeof value === "number" && Number.isFinite(value)) return ok(String(value));
      if (typeof value === "string" && DECIMAL_PATTERN.test(value.trim())) return ok(value.trim());
      if (fromText && value === "NaN") return ok(value);
      return fail("must be a decimal number (a number or a numeric string)");
    case "boolean":
      if (fromText && (value === "true" || value === "false")) return ok(value === "true");
      return typeof value === "boolean" ? ok(value) : fail("must be true or false");
    case "date":
      return coerceDate(value);
    case "datetime":
      return coerceDateTime(value);
    case "json":
      try {
        const text = JSON.stringify(value);
        return text === undefined ? fail("must be JSON") : ok(text);
      } catch {
        return fail("must be JSON");
      }
    case "enum": {
      const values = findEnum(schema, type.enum)?.values ?? [];
      return typeof value === "string" && values.includes(value)
        ? ok(value)
        : fail(`must be one of ${values.join(", ")}`);
    }
  }
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function coerceDate(value: unknown): Coerced {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? fail("must be a valid date") : ok(value.toISOString().slice(0, 10));
  }
  const match = typeof value === "string" ? DATE_PATTERN.exec(value) : null;
  if (!match || !validDay(Number(match[1]), Number(match[2]), Number(match[3]))) return fail("must be a date (YYYY-MM-DD)");
  return ok(value);
}

function coerceDateTime(value: unknown): Coerced {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? fail("must be a valid date-time") : ok(value.toISOString());
  }
  const match = typeof value === "string" ? DATETIME_PATTERN.exec(value) : null;
  if (!match) return fail("must be an ISO 8601 date-time with a time zone (e.g. 2024-05-01T10:00:00Z)");
  const [, year, month, day, hour, minute, second] = match;
  const timeOk = Number(hour) <= 23 && Number(minute) <= 59 && Number(second ?? 0) <= 59;
  if (!timeOk || !validDay(Number(year), Number(month), Number(day))) return fail("must be a valid date-time");
  return ok(value);
}
