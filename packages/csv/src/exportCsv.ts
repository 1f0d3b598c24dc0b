// CSV export of a model through the engine with the caller's context: the same where/orderBy as the
// GraphQL API, the caller's row rules and tenant, and only the fields the caller may read as
// columns. Values are written in the forms the import reads back (lists as "a; b", JSON as text).
import Papa from "papaparse";
import { Authorizer, EngineError, validationFailed, type Engine, type OrderBy, type RecordData, type RequestContext, type Where } from "@tessera/engine";
import type { FieldIR, ModelIR } from "@tessera/schema";

export interface ExportCsvOptions {
  where?: Where;
  orderBy?: OrderBy;
  /** Columns, in this order; default every field the caller may read (but the tenant and deletedAt). */
  fields?: readonly string[];
  /** Starts the file with a UTF-8 byte order mark, which Excel needs to read accents right. */
  bom?: boolean;
  pageSize?: number;
}

const HIDDEN_BY_DEFAULT = new Set(["tenantId", "deletedAt"]);

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe.
 * Signed numbers and phone numbers ("-12.5", "+1 555 0100") are left alone.
 */
const FORMULA = /^(?:[=@\t\r]|[+-](?![\d\s().]*$))/;

/** The export's columns: readable fields; asking for a field the caller may not read is FORBIDDEN. */
export function exportColumns(model: ModelIR, auth: Authorizer, fields?: readonly string[]): FieldIR[] {
  if (fields === undefined) return model.fields.filter((f) => !HIDDEN_BY_DEFAULT.has(f.name) && auth.canReadField(model, f));
  const unknown = fields.filter((name) => !model.fields.some((f) => f.name === name && f.name !== "tenantId"));
  if (unknown.length > 0) {
    throw validationFailed(unknown.map((name) => ({ path: ["fields", name], message: `${model.name} has no field '${name}'`, rule: "unknown_field" })));
  }
  const columns = fields.map((name) => model.fields.find((f) => f.name === name)!);
  const hidden = columns.filter((f) => !auth.canReadField(model, f));
  if (hidden.length > 0) {
    const errors = hidden.map((f) => ({ path: ["fields", f.name], message: `${model.name}.${f.name} is not readable for this principal`, rule: "field_access" }));
    throw new EngineError("FORBIDDEN", errors.map((e) => e.message).join("; "), errors);
  }
  return columns;
}

export function formatCell(field: FieldIR, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (field.type === "json") return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((item) => neutralise(String(item))).join("; ");
  const text = String(value);
  return field.type === "string" || field.type === "text" || field.type === "enum" ? neutralise(text) : text;
}

function neutralise(text: string): string {
  return FORMULA.test(text) ? `'${text}` : text;
}

/**
 * The CSV text, a page of rows per chunk. The first chunk (header and first page) is produced only
 * after the first page was read, so a bad filter or a refusal is an error before anything is sent.
 */
export async function* exportCsv(engine: Engine, modelName: string, ctx: RequestContext, options: ExportCsvOptions = {}): AsyncGenerator<string> {
  const repository = engine.model(modelName);
  const columns = exportColumns(repository.model, new Authorizer(engine.schema, ctx), options.fields);
  const args = {
    fields: columns.map((f) => f.name),
    ...(options.where === undefined ? {} : { where: options.where }),
    ...(options.orderBy === undefined ? {} : { orderBy: options.orderBy }),
  };
  const lines = (rows: readonly string[][]): string => `${Papa.unparse(rows as string[][], { newline: "\r\n", quotes: false })}\r\n`;
  let header = `${options.bom ? "\ufeff" : ""}${lines([columns.map((f) => f.name)])}`;
  for await (const page of repository.findEach(args, ctx, options.pageSize ? { pageSize: options.pageSize } : {})) {
    yield header + lines(page.map((record: RecordData) => columns.map((f) => formatCell(f, record[f.name]))));
    header = "";
  }
  if (header !== "") yield header;
}
