import type { FieldIR, ModelIR } from "@tessera/schema";
import { quoteIdent } from "@tessera/db";
import { outputValueSql } from "./fieldOutput.ts";

/** The API value of a column of the row aliased `alias`, built by PostgreSQL (same as reads). */
export function fieldValueExpr(field: FieldIR, alias: string): string {
  return outputValueSql(field, `${alias}.${quoteIdent(field.column)}`);
}

/**
 * `json_build_object('id', t."id", 'firstName', t."first_name", …)` for the given fields.
 * json_build_object takes at most 100 arguments, so wide models are merged from chunks.
 * `jsonb` builds the binary form directly: bulk writes feed records only to the event log (a jsonb
 * column), and building json text there only to parse it again cost a third of their event append.
 */
export function recordJsonExpr(fields: readonly FieldIR[], alias: string, kind: "json" | "jsonb" = "json"): string {
  const pairs = fields.map((f) => `'${f.name}', ${fieldValueExpr(f, alias)}`);
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(", ")})`);
  if (kind === "jsonb") return chunks.length === 1 ? chunks[0] : `(${chunks.join(" || ")})`;
  if (chunks.length === 1) return chunks[0].replace(/^jsonb_build_object/, "json_build_object");
  return `(${chunks.join(" || ")})::json`;
}

/** Fields returned for a whole record: everything but the tenant column, which the API never shows. */
export function recordFields(model: ModelIR): FieldIR[] {
  return model.fields.filter((f) => f.name !== "tenantId");
}
