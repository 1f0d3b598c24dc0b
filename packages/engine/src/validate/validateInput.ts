// Validates and coerces write input against the model, before any SQL is built.
// A partial update checks only the fields it sets; a create also checks required fields.
import type { EnumIR, FieldIR, ModelIR, RuleIR, ScalarType, SchemaIR } from "@tessera/schema";
import type { FieldError } from "../EngineError.ts";
import { UUID_PATTERN } from "@tessera/schema";
import { checkDate, checkDateTime, jsonProblem, textProblem } from "./databaseValues.ts";

/** Without a `max` rule, strings are capped here so a single write cannot store megabytes by accident. */
export const DEFAULT_MAX_STRING = 1_000;
export const DEFAULT_MAX_TEXT = 1_000_000;
const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;
const DECIMAL = /^-?\d{1,15}(\.\d{1,4})?$/;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not a syntax question.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ValidatedInput {
  /** Coerced values, keyed by field name, in the order the model declares them. */
  values: Map<FieldIR, unknown>;
  errors: FieldError[];
}

export type WriteMode = "create" | "update";

/**
 * UTF-8 bytes of text one btree index entry may hold. PostgreSQL refuses an entry over 2,704 bytes
 * (a third of a page) with SQLSTATE 54000; the rest of the budget is the tuple header, the tenant
 * id, length headers and alignment. Compressible text can pass the database above this, but the
 * limit is kept plain so the same value is always accepted or always refused.
 */
export const MAX_INDEXED_TEXT_BYTES = 2_600;

/** Per model: fields by name and relation names, computed once (validation runs per row in imports). */
interface ModelLookup {
  fields: Map<string, FieldIR>;
  relations: Set<string>;
  /** The text fields of each btree index (unique fields, declared indexes): their bytes add up in one entry. */
  indexedText: FieldIR[][];
}
const lookups = new WeakMap<ModelIR, ModelLookup>();

const isText = (field: FieldIR | undefined): field is FieldIR => field !== undefined && (field.type === "string" || field.type === "text");

function lookup(model: ModelIR): ModelLookup {
  let found = lookups.get(model);
  if (!found) {
    const fields = new Map(model.fields.map((f) => [f.name, f]));
    const indexedText = [
      ...model.fields.filter((f) => isText(f) && f.rules.some((r) => r.kind === "unique")).map((f) => [f]),
      ...model.indexes.map((index) => index.fields.map((name) => fields.get(name)).filter(isText)).filter((group) => group.length > 0),
    ];
    found = { fields, relations: new Set(model.relations.map((r) => r.name)), indexedText };
    lookups.set(model, found);
  }
  return found;
}

/** Refuses text that would not fit its index entry, naming each field of the entry that was given. */
function checkIndexedText(groups: FieldIR[][], values: Map<FieldIR, unknown>, pathPrefix: (string | number)[], errors: FieldError[]): void {
  for (const group of groups) {
    let bytes = 0;
    for (const field of group) {
      const value = values.get(field);
      if (typeof value === "string") bytes += Buffer.byteLength(value, "utf8");
    }
    if (bytes <= MAX_INDEXED_TEXT_BYTES) continue;
    const what = group.length === 1 ? `${group[0].name} is indexed, so it` : `${group.map((f) => f.name).join(" + ")} share an index, so together they`;
    for (const field of group) {
      if (!values.has(field)) continue;
      errors.push({
        path: [...pathPrefix, field.name],
        message: `${what} must fit in ${MAX_INDEXED_TEXT_BYTES} bytes of UTF-8 (this is ${bytes}; accented letters take 2 bytes, most Asian scripts 3, emoji 4)`,
        rule: "max",
      });
      values.delete(field);
    }
  }
}

const patterns = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let compiled = patterns.get(source);
  if (!compiled) {
    compiled = new RegExp(source);
    patterns.set(source, compiled);
  }
  return compiled;
}

// Plain functions rather than closures: under tsx every named closure is wrapped in `__name` (a
// defineProperty per creation), which made validation several times slower per row.
function typeError(errors: FieldError[], path: (string | number)[], message: string): undefined {
  errors.push({ path, message, rule: "type" });
  return undefined;
}

function invalid(errors: FieldError[], path: (string | number)[], message: string, rule = "type"): typeof INVALID {
  errors.push({ path, message, rule });
  return INVALID;
}

export function validateInput(schema: SchemaIR, model: ModelIR, data: unknown, mode: WriteMode, pathPrefix: (string | number)[] = ["data"]): ValidatedInput {
  const errors: FieldError[] = [];
  const values = new Map<FieldIR, unknown>();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { values, errors: [{ path: pathPrefix, message: "must be an object of field values", rule: "type" }] };
  }
  const input = data as Record<string, unknown>;
  const { fields, relations, indexedText } = lookup(model);
  for (const key of Object.keys(input)) {
    const field = fields.get(key);
    const path = [...pathPrefix, key];
    if (!field) {
      const hint = relations.has(key) ? ` (set the foreign key field instead)` : "";
      errors.push({ path, message: `unknown field '${key}' on ${model.name}${hint}`, rule: "unknown_field" });
      continue;
    }
    if (field.system && !(mode === "create" && field.name === model.primaryKey)) {
      errors.push({ path, message: `'${key}' is set by the system and cannot be written`, rule: "read_only" });
      continue;
    }
    const value = input[key];
    if (value === undefined) continue;
    const coerced = coerceField(schema, field, value, path, errors);
    if (coerced !== INVALID) values.set(field, coerced);
  }
  if (indexedText.length > 0) checkIndexedText(indexedText, values, pathPrefix, errors);
  if (mode === "create") {
    for (const field of model.fields) {
      // A principal default is filled in after validation (write/principalDefaults.ts), which reports it if it cannot be.
      if (field.system || !field.required || field.default !== undefined || field.defaultFrom !== undefined || field.type === "array") continue;
      if (input[field.name] === undefined) {
        errors.push({ path: [...pathPrefix, field.name], message: `${field.name} is required`, rule: "required" });
      }
    }
  }
  return { values: orderByModel(model, values), errors };
}

function orderByModel(model: ModelIR, values: Map<FieldIR, unknown>): Map<FieldIR, unknown> {
  const ordered = new Map<FieldIR, unknown>();
  for (const field of model.fields) if (values.has(field)) ordered.set(field, values.get(field));
  return ordered;
}

const INVALID = Symbol("invalid");

function coerceField(schema: SchemaIR, field: FieldIR, value: unknown, path: (string | number)[], errors: FieldError[]): unknown {
  if (value === null || (value === "" && field.required && (field.type === "string" || field.type === "text"))) {
    if (field.required) return invalid(errors, path, `${field.name} is required`, "required");
    if (field.type === "array") return [];
    return null;
  }
  if (field.type === "array") {
    if (!Array.isArray(value)) return invalid(errors, path, `${field.name} must be a list`);
    const itemField: FieldIR = { ...field, type: field.items!.type, enum: field.items!.enum, required: true, rules: [] };
    const before = errors.length;
    const items = value.map((item, i) => coerceScalar(schema, itemField, item, [...path, i], errors));
    if (errors.length > before) return INVALID;
    return checkRules(field, items, path, errors) ? items : INVALID;
  }
  const before = errors.length;
  const coerced = coerceScalar(schema, field, value, path, errors);
  if (errors.length > before) return INVALID;
  return checkRules(field, coerced, path, errors) ? coerced : INVALID;
}

function coerceScalar(schema: SchemaIR, field: FieldIR, value: unknown, path: (string | number)[], errors: FieldError[]): unknown {
  const type = field.type as ScalarType | "enum";
  switch (type) {
    case "id":
      return typeof value === "string" && UUID_PATTERN.test(value) ? value.toLowerCase() : typeError(errors, path, `${field.name} must be a UUID`);
    case "string":
    case "text": {
      if (typeof value !== "string") return typeError(errors, path, `${field.name} must be a string`);
      const hasMax = field.rules.some((r) => r.kind === "max");
      const cap = type === "string" ? DEFAULT_MAX_STRING : DEFAULT_MAX_TEXT;
      if (!hasMax && value.length > cap) {
        errors.push({ path, message: `${field.name} must be at most ${cap} characters`, rule: "max" });
        return undefined;
      }
      const problem = textProblem(value);
      return problem ? typeError(errors, path, `${field.name} ${problem}`) : value;
    }
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= INT4_MIN && value <= INT4_MAX
        ? value
        : typeError(errors, path, `${field.name} must be a whole number between ${INT4_MIN} and ${INT4_MAX}`);
    case "float":
      return typeof value === "number" && Number.isFinite(value) ? value : typeError(errors, path, `${field.name} must be a finite number (not NaN or Infinity)`);
    case "decimal":
    case "money": {
      const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
      return typeof text === "string" && DECIMAL.test(text) ? text : typeError(errors, path, `${field.name} must be a decimal number with at most 15 digits before and 4 after the point`);
    }
    case "boolean":
      return typeof value === "boolean" ? value : typeError(errors, path, `${field.name} must be true or false`);
    case "date": {
      const date = checkDate(value);
      return date.ok ? date.value : typeError(errors, path, `${field.name} ${date.message}`);
    }
    case "datetime": {
      // Stored as the UTC instant (millisecond precision), whatever offset it was given with.
      const instant = checkDateTime(value);
      return instant.ok ? new Date(instant.value.epochMs).toISOString() : typeError(errors, path, `${field.name} ${instant.message}`);
    }
    case "json": {
      const problem = jsonProblem(value);
      return problem ? typeError(errors, [...path, ...problem.path], `${field.name} ${problem.message}`) : value;
    }
    case "enum": {
      const def = schema.enums.find((e: EnumIR) => e.name === field.enum);
      if (typeof value !== "string" || !def?.values.includes(value)) {
        return typeError(errors, path, `${field.name} must be one of ${def?.values.join(", ")}`);
      }
      return value;
    }
  }
}

function checkRules(field: FieldIR, value: unknown, path: (string | number)[], errors: FieldError[]): boolean {
  let ok = true;
  for (const rule of field.rules) {
    const message = ruleMessage(field, rule, value);
    if (message) {
      errors.push({ path, message, rule: rule.kind });
      ok = false;
    }
  }
  return ok;
}

/** The message for a failed rule, or undefined when the rule holds. `unique` and `exists` need the database. */
function sizeOf(field: FieldIR, value: unknown): number | undefined {
  if (typeof value === "string") return field.type === "decimal" || field.type === "money" ? Number(value) : value.length;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.length;
  return undefined;
}

function ruleMessage(field: FieldIR, rule: RuleIR, value: unknown): string | undefined {
  const unit = typeof value === "string" && field.type !== "decimal" && field.type !== "money" ? " characters" : Array.isArray(value) ? " items" : "";
  switch (rule.kind) {
    case "min": {
      const n = sizeOf(field, value);
      return n !== undefined && n < rule.value ? `${field.name} must be at least ${rule.value}${unit}` : undefined;
    }
    case "max": {
      const n = sizeOf(field, value);
      return n !== undefined && n > rule.value ? `${field.name} must be at most ${rule.value}${unit}` : undefined;
    }
    case "email":
      return typeof value === "string" && !EMAIL.test(value) ? `${field.name} must be an email address` : undefined;
    case "url": {
      if (typeof value !== "string") return undefined;
      try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:" ? undefined : `${field.name} must be an http(s) URL`;
      } catch {
        return `${field.name} must be a URL such as https://example.com`;
      }
    }
    case "numeric":
      return typeof value === "string" && !/^-?\d+(\.\d+)?$/.test(value) ? `${field.name} must contain only a number` : undefined;
    case "in":
      return !rule.values.includes(String(value)) ? `${field.name} must be one of ${rule.values.join(", ")}` : undefined;
    case "regex":
      return typeof value === "string" && !pattern(rule.pattern).test(value) ? `${field.name} has an invalid format` : undefined;
    case "required":
    case "unique":
    case "exists":
    case "required_if": // needs the row as stored: checked in the write's statement (requiredIf.ts)
      return undefined;
  }
}
