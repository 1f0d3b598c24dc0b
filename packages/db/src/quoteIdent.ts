/** The one identifier-quoting function. Every table, column and type name in generated SQL goes through it. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes("\u0000")) {
    throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal for DDL where parameters are not allowed (defaults, enum labels, comments). */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("NUL byte in SQL literal");
  return `'${value.replace(/'/g, "''")}'`;
}
