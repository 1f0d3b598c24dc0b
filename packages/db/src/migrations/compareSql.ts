// Compares SQL text the planner writes with the text PostgreSQL deparses from its catalog
// (pg_get_expr, pg_get_indexdef, pg_policies). The deparser adds casts, parentheses and schema
// prefixes, and its exact spelling differs between versions (15 on the server, 18 in PGlite), so
// both sides are reduced to a form without those before comparing. Anything that still differs
// is a real change and is planned as one.

// `::text`, `::"DealStage"[]`, `::timestamp with time zone`, `::numeric(19,4)`, `::public."X"`.
const CAST = /::\s*(?:[a-z_][a-z0-9_]*\.)?(?:"(?:[^"]|"")*"|[a-z_][a-z0-9_$]*(?:\s+(?:with|without|time|zone|precision|varying))*)(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*/gi;

/** Reduces an expression or definition to a comparable form (no casts, quotes, parentheses, case or spaces). */
export function normaliseSql(text: string): string {
  return text
    .replace(CAST, "")
    .replace(/\bpublic\./gi, "")
    .replace(/["'()\s]/g, "")
    .toLowerCase();
}

/** True when two expressions (either may be absent) mean the same thing. */
export function sameExpression(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return a == b;
  return normaliseSql(a) === normaliseSql(b);
}

// A timestamp literal deparses in the session's time zone and in PostgreSQL's own format
// ('2020-01-01 00:00:00+00'), so the declared ISO text never matches it as text; compare instants.
const PG_TIMESTAMP = /^'(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?'/;

function timestampInstant(text: string): number | undefined {
  const pg = PG_TIMESTAMP.exec(text.trim());
  if (pg) return Date.parse(`${pg[1]}T${pg[2]}${pg[3]}:${pg[4] ?? "00"}`);
  const quoted = /^'([^']*)'/.exec(text.trim());
  if (!quoted) return undefined;
  const t = Date.parse(quoted[1]);
  return Number.isNaN(t) ? undefined : t;
}

/** Compares column defaults; timestamp columns compare the instant a literal denotes. */
export function sameDefault(wanted: string | undefined, actual: string | null, canonicalType: string): boolean {
  if (canonicalType === "timestamp with time zone" && wanted !== undefined && actual !== null) {
    const a = timestampInstant(wanted);
    const b = timestampInstant(actual);
    if (a !== undefined && b !== undefined) return a === b;
  }
  return sameExpression(wanted ?? null, actual);
}
