// CSV cells are text; fields are typed. This turns each mapped cell into the value the engine's
// validation expects, accepting the forms spreadsheets produce (yes/no, 1,234.50, "Client visible"
// for client_visible, "a; b" for lists). A blank cell is "not given". The engine still validates
// every value; messages here only explain what text could not be read.
import type { FieldIR, ScalarType, SchemaIR } from "@tessera/schema";
import type { ImportPlan, LookupTarget } from "./importMapping.ts";
import { normaliseName } from "./suggestMapping.ts";

export interface CellError {
  field: string;
  message: string;
}

export interface CoercedRow {
  /** Field values, by field name. */
  values: Record<string, unknown>;
  /** Relation columns still to look up: the foreign key is set once the display value is found. */
  lookups: { target: LookupTarget; text: string }[];
  errors: CellError[];
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const TRUE_WORDS = new Set(["true", "yes", "y", "1", "on", "t"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "off", "f"]);
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const CURRENCY = /^(?:[$€£¥]|[A-Z]{3}\s)\s*|\s*(?:[$€£¥]|\s[A-Z]{3})$/g;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const ZONED_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (message: string): Coerced => ({ ok: false, message });

/** Enum values by their normalised spelling, per enum. */
const enumSpellings = new WeakMap<readonly string[], Map<string, string>>();

function enumValue(values: readonly string[], text: string): string | undefined {
  let spellings = enumSpellings.get(values);
  if (!spellings) {
    spellings = new Map(values.map((v) => [normaliseName(v), v]));
    enumSpellings.set(values, spellings);
  }
  return values.includes(text) ? text : spellings.get(normaliseName(text));
}

function coerceScalar(schema: SchemaIR, type: ScalarType | "enum", enumName: string | undefined, text: string): Coerced {
  switch (type) {
    case "string":
    case "text":
    case "id":
      return ok(text);
    case "int":
      return INT.test(text) ? ok(Number(text)) : fail(`must be a whole number, not "${text}"`);
    case "float":
      return FLOAT.test(text) ? ok(Number(text)) : fail(`must be a number such as 12.5, not "${text}"`);
    case "decimal":
    case "money": {
      const bare = text.replace(CURRENCY, "").trim();
      const plain = GROUPED.test(bare) ? bare.replace(/,/g, "") : bare;
      return DECIMAL.test(plain) ? ok(plain) : fail(`must be an amount such as 1234.50, not "${text}"`);
    }
    case "boolean": {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return ok(true);
      if (FALSE_WORDS.has(word)) return ok(false);
      return fail(`must be true or false (also yes/no, 1/0), not "${text}"`);
    }
    case "date":
      return DATE.test(text) ? ok(text) : fail(`must be a date as YYYY-MM-DD, not "${text}"`);
    case "datetime": {
      if (DATE.test(text)) return ok(`${text}T00:00:00Z`);
      const local = LOCAL_DATETIME.exec(text);
      if (local) return ok(`${local[1]}T${local[2]}Z`);
      return ZONED_DATETIME.test(text) ? ok(text.replace(" ", "T")) : fail(`must be a date-time such as 2026-01-31T09:00:00Z (no zone means UTC), not "${text}"`);
    }
    case "json":
      try {
        return ok(JSON.parse(text));
      } catch {
        return fail(`must be JSON, such as {"key": "value"}`);
      }
    case "enum": {
      const values = schema.enums.find((e) => e.name === enumName)?.values ?? [];
      const value = enumValue(values, text);
      return value !== undefined ? ok(value) : fail(`must be one of ${values.join(", ")}, not "${text}"`);
    }
  }
}

/** Lists are split on `;` when the cell has one, otherwise on `,`. */
function coerceCell(schema: SchemaIR, field: FieldIR, text: string): Coerced {
  if (field.type !== "array") return coerceScalar(schema, field.type, field.enum, text);
  const parts = (text.includes(";") ? text.split(";") : text.split(",")).map((part) => part.trim()).filter((part) => part !== "");
  const items: unknown[] = [];
  for (const part of parts) {
    const item = coerceScalar(schema, field.items?.type ?? "string", field.items?.enum, part);
    if (!item.ok) return fail(`item "${part}" ${item.message}`);
    items.push(item.value);
  }
  return ok(items);
}

/** The values of one CSV row per the plan. Cells beyond the header are an error unless blank. */
export function coerceRow(schema: SchemaIR, plan: ImportPlan, cells: readonly string[]): CoercedRow {
  const row: CoercedRow = { values: {}, lookups: [], errors: [] };
  if (cells.length > plan.headers.length && cells.slice(plan.headers.length).some((cell) => cell.trim() !== "")) {
    row.errors.push({ field: "", message: `the row has ${cells.length} values but the header has ${plan.headers.length} columns` });
    return row;
  }
  plan.columns.forEach((target, index) => {
    const text = (cells[index] ?? "").trim();
    if (target === null || text === "") return;
    if (target.kind === "lookup") {
      row.lookups.push({ target, text });
      return;
    }
    const coerced = coerceCell(schema, target.field, text);
    if (coerced.ok) row.values[target.field.name] = coerced.value;
    else row.errors.push({ field: target.field.name, message: `${target.field.name} ${coerced.message}` });
  });
  return row;
}
