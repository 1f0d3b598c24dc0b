// Tenancy at the edge: who is calling (token or API key), in which tenant (token claim, API key,
// `x-tenant-id` header, or the single tenant of this deployment), checked against memberships.
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyStore, RequestContext } from "@tessera/engine";
import { forbidden, unauthenticated } from "./AuthError.ts";
import { verifyApiKey } from "./apiKeyAuth.ts";
import { readCredential } from "./credentials.ts";
import type { SessionOrigins } from "./browserSession.ts";
import type { MembershipCheck } from "./membership.ts";
import { normaliseRoles, toRequestContext, type Principal } from "./Principal.ts";
import type { PlatformIdentity } from "./platformIdentity.ts";
import { UUID_PATTERN } from "@tessera/schema";

export const TENANT_HEADER = "x-tenant-id";

/** The parts of a fastify request (or any Node request) the resolver reads. */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
  /** fastify's request id, used as the correlation id. */
  id?: string;
}

export interface RequestAuthOptions {
  /** Verifies a bearer JWT (a JwtVerifier's `verify`, or several issuers combined). */
  verifyToken: (token: string) => Promise<Principal>;
  /** Without it, API keys are rejected with 401. */
  apiKeys?: ApiKeyStore;
  /** Without it, a tenant named only by the header cannot be checked and is refused (403). */
  isMember?: MembershipCheck;
  /**
   * Where a user's tenant and roles come from, the operator's choice:
   * - `membership` (default): the tenant from the token's claim or the `x-tenant-id` header, checked
   *   against the user's Membership rows, which also give the roles and teams — whatever roles the
   *   token claims, so a token never lifts a user above the role the tenant gave them;
   * - `token`: the identity provider is trusted for both: the token must name the tenant and the roles;
   *   no membership is required (one is recorded on first entry, so the tenant sees its users);
   * - `both`: the token's tenant and roles, and the tenant must be one of the user's memberships.
   * Without `isMember`, always the token.
   */
  roleSource?: RoleSource;
  /** Resolves token subjects to Tessera users and organisation claims to tenants (platformIdentity.ts). */
  identity?: PlatformIdentity;
  /** Single-tenant mode (`TENANT_ID`): every request runs in this tenant; other tenants are 403. */
  tenantId?: string | null;
  /** Accept the admin UI's session cookie (with its CSRF checks) from these origins besides the server's own. */
  session?: SessionOrigins;
}

export type RoleSource = "membership" | "token" | "both";

export const ROLE_SOURCES: readonly RoleSource[] = ["membership", "token", "both"];

export interface RequestAuthenticator {
  /** The caller with its tenant resolved; throws AuthError 401 without credentials. */
  resolvePrincipal(request: CredentialSource): Promise<Principal>;
  /** The engine context; throws AuthError 401 without or with bad credentials, 403 for a foreign tenant. */
  resolveRequestContext(request: CredentialSource): Promise<RequestContext>;
  /** Like `resolveRequestContext`, but no credentials give `principal: null` (for `public` models). */
  resolveOptionalContext(request: CredentialSource): Promise<RequestContext>;
}


function headerTenant(headers: IncomingHttpHeaders): string | null {
  const raw = headers[TENANT_HEADER];
  if (Array.isArray(raw)) throw forbidden("wrong_tenant", `Send one ${TENANT_HEADER} header, not ${raw.length}.`);
  const value = raw?.trim();
  if (!value) return null;
  if (!UUID_PATTERN.test(value)) throw forbidden("wrong_tenant", `The ${TENANT_HEADER} header must be a tenant id (uuid); got "${value.slice(0, 60)}".`);
  return value.toLowerCase();
}

export function createRequestAuthenticator(options: RequestAuthOptions): RequestAuthenticator {
  const boundTenant = options.tenantId ? options.tenantId.toLowerCase() : null;
  const roleSource: RoleSource = options.roleSource ?? "membership";

  async function authenticate(request: CredentialSource): Promise<Principal | null> {
    const credential = readCredential(request.headers, options.session);
    if (!credential) return null;
    if (credential.kind === "jwt") {
      const principal = await options.verifyToken(credential.token);
      return options.identity ? options.identity.resolve(principal) : principal;
    }
    if (!options.apiKeys) throw unauthenticated("invalid", "This server does not accept API keys; sign in with a bearer token.");
    return verifyApiKey(options.apiKeys, credential.key);
  }

  /** Picks the tenant and checks the principal may act in it. */
  async function bindTenant(principal: Principal, requested: string | null): Promise<Principal> {
    const claimed = principal.tenantId ? principal.tenantId.toLowerCase() : null;
    if (boundTenant && claimed && claimed !== boundTenant) {
      throw forbidden("wrong_tenant", "The credential belongs to another tenant than the one this server serves.");
    }
    if (boundTenant && requested && requested !== boundTenant) {
      throw forbidden("wrong_tenant", `This server serves one tenant only; drop the ${TENANT_HEADER} header or send ${boundTenant}.`);
    }
    if (claimed && requested && requested !== claimed) {
      throw forbidden("wrong_tenant", `The credential is bound to another tenant than the ${TENANT_HEADER} header names.`);
    }
    const tenantId = boundTenant ?? claimed ?? requested;
    if (!tenantId) throw forbidden("no_tenant", `No tenant was chosen; send the ${TENANT_HEADER} header with one of your tenants.`);

    // Services are bound to their key's tenant by the row itself; users are checked against memberships.
    if (principal.kind === "service") return { ...principal, tenantId };
    if (!options.isMember) {
      if (claimed || boundTenant) return { ...principal, tenantId };
      throw forbidden("not_member", "This server cannot check tenant memberships, so a tenant chosen by header is refused.");
    }
    if (roleSource === "token") {
      // The identity provider vouches for tenant and roles; a tenant named only by a header is not its word.
      if (!claimed && !boundTenant) throw forbidden("no_tenant", "This server takes the tenant from the sign-in token, and the token names none; ask the identity provider to include it.");
      if (principal.roles.length === 0) throw forbidden("no_roles", "This server takes roles from the sign-in token, and the token carries none; ask an administrator of the identity provider to grant you a role.");
      await options.identity?.ensureMembership(principal, tenantId);
      const membership = await options.isMember(principal.sub, tenantId);
      return { ...principal, tenantId, teams: principal.teams.length > 0 ? principal.teams : [...(membership?.teams ?? [])] };
    }
    const membership = await options.isMember(principal.sub, tenantId);
    if (!membership) throw forbidden("not_member", "You are not a member of this tenant; ask one of its administrators to invite you.");
    const fromToken = roleSource === "both";
    return {
      ...principal,
      tenantId,
      roles: fromToken && principal.roles.length > 0 ? principal.roles : normaliseRoles(membership.roles),
      teams: fromToken && principal.teams.length > 0 ? principal.teams : [...membership.teams],
    };
  }

  async function resolvePrincipalOrNull(request: CredentialSource): Promise<Principal | null> {
    const requested = headerTenant(request.headers);
    const principal = await authenticate(request);
    return principal ? bindTenant(principal, requested) : null;
  }

  async function resolvePrincipal(request: CredentialSource): Promise<Principal> {
    const principal = await resolvePrincipalOrNull(request);
    if (!principal) throw unauthenticated("missing", "Sign in first: send `Authorization: Bearer <token>` (or an API key in x-api-key).");
    return principal;
  }

  return {
    resolvePrincipal,
    async resolveRequestContext(request) {
      const principal = await resolvePrincipal(request);
      return toRequestContext(principal, { tenantId: principal.tenantId, correlationId: request.id ?? null });
    },
    async resolveOptionalContext(request) {
      const principal = await resolvePrincipalOrNull(request);
      if (principal) return toRequestContext(principal, { tenantId: principal.tenantId, correlationId: request.id ?? null });
      // Anonymous: public models only; the tenant comes from the deployment or the header.
      return { tenantId: boundTenant ?? headerTenant(request.headers), principal: null, correlationId: request.id ?? null };
    },
  };
}
