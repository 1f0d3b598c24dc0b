// Who a request runs for, as the auth layer establishes it, and its translation into the
// engine's RequestContext.
import type { RequestContext } from "@tessera/engine";

export type PrincipalKind = "user" | "service";

export interface Principal {
  /** The user id (a User row's uuid for dev tokens; the IdP's subject otherwise), or `apikey:<id>`. */
  sub: string;
  tenantId: string | null;
  /** Lower-cased, de-duplicated. */
  roles: string[];
  teams: string[];
  /** Explicit permission patterns (`crm.deal.read`, `crm.*.read`); empty means none beyond the roles. */
  permissions: string[];
  kind: PrincipalKind;
  /**
   * Users: the token's issuer (`iss`). With it, `sub` is the provider's subject until the request
   * authenticator resolves it to the Tessera user's id (tessera_identities) and drops it.
   */
  issuer?: string;
  /** Users: what the token says about the person, used when the user is provisioned on first sign-in. */
  profile?: { email?: string; name?: string };
}

/** Lower-cases, trims and de-duplicates role names (roles match case-insensitively). */
export function normaliseRoles(roles: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const role of roles) {
    const r = role.trim().toLowerCase();
    if (r !== "") out.add(r);
  }
  return [...out];
}

export function uniqueStrings(values: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const v of values) if (v !== "") out.add(v);
  return [...out];
}

export interface ContextOptions {
  tenantId: string | null;
  correlationId?: string | null;
}

/**
 * The engine context of a request made by `principal` in `tenantId`. An empty `permissions` list
 * means "no explicit permissions" and is left out: the engine treats a present list as a
 * restriction every action must match, so `[]` would forbid everything.
 */
export function toRequestContext(principal: Principal, options: ContextOptions): RequestContext {
  const enginePrincipal: NonNullable<RequestContext["principal"]> = {
    sub: principal.sub,
    roles: [...principal.roles],
    teams: [...principal.teams],
    kind: principal.kind,
    ...(principal.permissions.length > 0 ? { permissions: [...principal.permissions] } : {}),
  };
  return { tenantId: options.tenantId, principal: enginePrincipal, correlationId: options.correlationId ?? null };
}
