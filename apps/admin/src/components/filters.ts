// Filter rules of the list view and how they become the API's `where`.
import type { FieldDescription, ModelDescription } from "../api/meta.ts";

export interface FilterRule {
  field: string;
  /** "eq" or one of the field's operator suffixes. */
  op: string;
  value: string;
}

const LIST_OPS = new Set(["in", "not_in", "contains_all", "contains_some", "contains_none"]);

export function isListOperator(op: string): boolean {
  return LIST_OPS.has(op);
}

/** A typed value for the API from the text a person typed, or an error message. */
export function parseValue(field: FieldDescription, text: string): unknown {
  const type = field.type === "array" ? (field.items?.type ?? "string") : field.type;
  switch (type) {
    case "int": {
      const n = Number(text);
      if (!Number.isInteger(n)) throw new Error(`${field.name}: a whole number`);
      return n;
    }
    case "float": {
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n)) throw new Error(`${field.name}: a number`);
      return n;
    }
    case "money":
    case "decimal":
      if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new Error(`${field.name}: a number like 1200.50`);
      return text.trim();
    case "boolean":
      return text === "true";
    case "datetime":
      return new Date(text).toISOString();
    default:
      return text;
  }
}

export function ruleToWhere(model: ModelDescription, rule: FilterRule): Record<string, unknown> | null {
  const field = model.fields.find((f) => f.name === rule.field);
  if (!field || rule.value.trim() === "") return null;
  const key = rule.op === "eq" ? rule.field : `${rule.field}_${rule.op}`;
  const value = isListOperator(rule.op)
    ? rule.value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
        .map((v) => parseValue(field, v))
    : parseValue(field, rule.value);
  return { [key]: value };
}

export function buildWhere(model: ModelDescription, rules: FilterRule[], search: string): Record<string, unknown> | undefined {
  const parts: Record<string, unknown>[] = [];
  for (const rule of rules) {
    const where = ruleToWhere(model, rule);
    if (where) parts.push(where);
  }
  if (search.trim().length > 0 && model.searchable.length > 0) parts.push({ _search: search.trim() });
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { AND: parts };
}
