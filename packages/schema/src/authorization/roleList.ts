// Role lists as written in a schema: "sales|manager|admin", "authenticated", "public".

export const ROLE_NAME = /^[a-z][a-z0-9_:.-]*$/;

/** Lower-cased, trimmed, de-duplicated roles; `error` when the spec is not a usable role list. */
export function parseRoleList(spec: unknown): { roles: string[] } | { error: string } {
  if (typeof spec !== "string" || spec.trim() === "") {
    return { error: `must be a role list like "sales|manager|admin", "authenticated" or "public"` };
  }
  const roles = spec.split("|").map((r) => r.trim().toLowerCase());
  const bad = roles.find((r) => !ROLE_NAME.test(r));
  if (bad !== undefined) return { error: `'${bad}' is not a valid role name` };
  return { roles: [...new Set(roles)] };
}
