// Placeholders a row rule or policy condition may use in place of a value; the engine substitutes
// them from the request's principal (it never looks them up).

export const PRINCIPAL_PLACEHOLDERS = {
  "$principal.sub": "scalar",
  "$principal.tenantId": "scalar",
  "$principal.teams": "list",
} as const;

export type PrincipalPlaceholder = keyof typeof PRINCIPAL_PLACEHOLDERS;

export function isPlaceholderLike(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("$principal");
}

export function isPrincipalPlaceholder(value: unknown): value is PrincipalPlaceholder {
  return typeof value === "string" && Object.hasOwn(PRINCIPAL_PLACEHOLDERS, value);
}
