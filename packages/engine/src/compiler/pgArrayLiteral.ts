/**
 * A PostgreSQL array literal (`{"a","b"}`) for binding a list as one text parameter cast to an
 * array type. Both drivers then receive a plain string, so lists behave the same on each.
 */
export function pgArrayLiteral(values: readonly (string | number | boolean)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}
