// Checks a value given in the API against a field's type before it reaches SQL, so that a bad
// value is a VALIDATION_FAILED with a path, never a raw PostgreSQL error.
import type { SchemaIR } from "@tessera/schema";
import { findEnum, type ValueType } from "./sqlTypes.ts";
import { UUID_PATTERN } from "@tessera/schema";
import { checkDate, checkDateTime, decimalInRange, jsonProblem, MAX_DECIMAL_INTEGER_DIGITS, textProblem } from "../validate/databaseValues.ts";

export { UUID_PATTERN };
const DECIMAL_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const FLOAT_TEXT_PATTERN = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|-?Infinity)$/;
const INT_TEXT_PATTERN = /^[+-]?\d{1,10}$/;
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
      return checkText(value);
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
      if (fromText && value === "NaN") return ok(value);
      const text = typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "string" ? value.trim() : undefined;
      if (text === undefined || !DECIMAL_PATTERN.test(text)) return fail("must be a decimal number (a number or a numeric string)");
      // A bound PostgreSQL cannot cast (numeric(19,4) overflow, huge exponents) would fail as a database error.
      return decimalInRange(text) ? ok(text) : fail(`must have at most ${MAX_DECIMAL_INTEGER_DIGITS} digits before the decimal point`);
    case "boolean":
      if (fromText && (value === "true" || value === "false")) return ok(value === "true");
      return typeof value === "boolean" ? ok(value) : fail("must be true or false");
    case "date": {
      const date = checkDate(value);
      return date.ok ? ok(date.value) : fail(date.message);
    }
    case "datetime": {
      const instant = checkDateTime(value);
      return instant.ok ? ok(instant.value.text) : fail(instant.message);
    }
    case "json": {
      const problem = jsonProblem(value);
      if (problem) return fail(problem.path.length > 0 ? `at ${problem.path.join(".")} ${problem.message}` : problem.message);
      return ok(JSON.stringify(value));
    }
    case "enum": {
      const values = findEnum(schema, type.enum)?.values ?? [];
      return typeof value === "string" && values.includes(value)
        ? ok(value)
        : fail(`must be one of ${values.join(", ")}`);
    }
  }
}

function checkText(value: string): Coerced {
  const problem = textProblem(value);
  return problem ? fail(problem) : ok(value);
}
