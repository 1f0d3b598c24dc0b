/** Escapes LIKE metacharacters (`\`, `%`, `_`) so a value matches literally with `ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const LIKE_ESCAPE = `ESCAPE '\\'`;
