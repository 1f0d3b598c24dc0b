// Turns what an identity provider says into Tessera's platform identity: the token's subject into
// the Tessera user (provisioned on the first sign-in when the operator allows it), and a tenant
// claim that is the provider's own name for a tenant (a ZITADEL organisation id) into the tenant it
// is linked to. Lookups are cached: a subject's user never changes once recorded.
import { LRUCache } from "lru-cache";
import { EngineError, IdentityStore, systemContext, type Engine } from "@tessera/engine";
import { UUID_PATTERN } from "@tessera/schema";
import { forbidden } from "./AuthError.ts";
import type { Principal } from "./Principal.ts";

export interface ProvisioningOptions {
  /** Create a user on the first sign-in of an unknown subject; default true. */
  enabled?: boolean;
  /**
   * The role of the membership created when a user first enters a tenant the token names (in the
   * `token` role source, or whenever this is set); without it, only the token's first role is tried.
   */
  defaultRole?: string;
}

export interface PlatformIdentity {
  /** The principal with `sub` the Tessera user's id and a tenant claim resolved to a tenant id. */
  resolve(principal: Principal): Promise<Principal>;
  /** Makes sure the user has a membership of the tenant (first entry with token roles); returns nothing. */
  ensureMembership(principal: Principal, tenantId: string): Promise<void>;
}

const MEMBERSHIP_MODEL = "Membership";

export function platformIdentity(engine: Engine, options: ProvisioningOptions = {}): PlatformIdentity {
  const store = new IdentityStore(engine);
  const provision = options.enabled ?? true;
  const users = new LRUCache<string, string>({ max: 10_000 });
  const tenants = new LRUCache<string, string>({ max: 10_000, ttl: 60_000 });
  const members = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });

  async function userOf(principal: Principal, issuer: string): Promise<string> {
    const key = JSON.stringify([issuer, principal.sub]);
    const cached = users.get(key);
    if (cached) return cached;
    let resolved;
    try {
      resolved = await store.resolveUser({ issuer, subject: principal.sub, ...principal.profile }, { provision });
    } catch (error) {
      if (error instanceof EngineError && error.code === "VALIDATION_FAILED") {
        throw forbidden("not_provisioned", `Your account could not be created from the sign-in token: ${error.fieldErrors.map((e) => `${e.path.at(-1)} ${e.message}`).join("; ") || error.message}. Ask the identity provider to include it (e.g. the email scope), or an administrator to add you (tessera user add).`);
      }
      throw error;
    }
    if (!resolved) throw forbidden("unknown_user", `No Tessera user is known for ${principal.sub} at ${issuer}, and users are not created on first sign-in here; ask an administrator to add you (tessera user add).`);
    users.set(key, resolved.userId);
    return resolved.userId;
  }

  async function tenantOf(claim: string, issuer: string): Promise<string> {
    const key = JSON.stringify([issuer, claim]);
    const cached = tenants.get(key);
    if (cached) return cached;
    const linked = await store.tenantFor(issuer, claim);
    // A claim that already is a Tessera tenant id (Tessera's own tokens, a `tenants` claim) stands for itself.
    const tenantId = linked ?? (UUID_PATTERN.test(claim) ? claim.toLowerCase() : null);
    if (!tenantId) {
      throw forbidden(
        "unknown_organisation",
        `The organisation '${claim}' of ${issuer} is not linked to a tenant; an operator links it with: tessera tenant link --issuer ${issuer} --external-id ${claim} --tenant <tenant id>`,
      );
    }
    tenants.set(key, tenantId);
    return tenantId;
  }

  return {
    async resolve(principal) {
      if (principal.kind !== "user" || principal.issuer === undefined) return principal;
      const issuer = principal.issuer;
      const sub = await userOf(principal, issuer);
      const tenantId = principal.tenantId === null ? null : await tenantOf(principal.tenantId, issuer);
      const { issuer: _issuer, profile: _profile, ...rest } = principal;
      return { ...rest, sub, tenantId };
    },

    async ensureMembership(principal, tenantId) {
      const key = JSON.stringify([tenantId, principal.sub]);
      if (members.has(key)) return;
      const ctx = systemContext(tenantId);
      const existing = await engine.model(MEMBERSHIP_MODEL).findMany({ where: { userId: principal.sub }, fields: ["id"], first: 1 }, ctx);
      if (existing.nodes.length === 0) {
        const candidates = [...principal.roles.slice(0, 1), ...(options.defaultRole ? [options.defaultRole] : [])];
        let created = false;
        let lastError: unknown = null;
        for (const role of candidates) {
          try {
            await engine.model(MEMBERSHIP_MODEL).create({ userId: principal.sub, role }, ctx);
            created = true;
            break;
          } catch (error) {
            lastError = error;
          }
        }
        if (!created) {
          const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
          throw forbidden("not_member", `Your membership of this tenant could not be recorded (roles tried: ${candidates.join(", ") || "none"})${detail}. Set a default role the app accepts (TESSERA_DEFAULT_ROLE).`);
        }
      }
      members.set(key, true);
    },
  };
}
