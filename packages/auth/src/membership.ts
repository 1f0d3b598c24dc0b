// Whether a user belongs to a tenant, and with which roles and teams. Pluggable: the app supplies
// the check; `engineMembershipCheck` reads Membership rows through the engine's system API.
import { systemContext, type Engine } from "@tessera/engine";
import { UUID_PATTERN } from "@tessera/schema";

export interface MembershipInfo {
  roles: string[];
  teams: string[];
}

export type MembershipCheck = (sub: string, tenantId: string) => Promise<MembershipInfo | null>;

export interface EngineMembershipOptions {
  /** Default `Membership`, with fields `userId`, `role`, `teamId`. */
  model?: string;
  userField?: string;
  roleField?: string;
  teamField?: string;
}


/** Membership rows with `userId = sub` in the tenant; null when there are none (or ids are not uuids). */
export function engineMembershipCheck(engine: Engine, options: EngineMembershipOptions = {}): MembershipCheck {
  const model = options.model ?? "Membership";
  const userField = options.userField ?? "userId";
  const roleField = options.roleField ?? "role";
  const teamField = options.teamField ?? "teamId";
  return async (sub, tenantId) => {
    if (!UUID_PATTERN.test(sub) || !UUID_PATTERN.test(tenantId)) return null;
    const page = await engine.model(model).findMany({ where: { [userField]: sub }, fields: [roleField, teamField] }, systemContext(tenantId));
    if (page.nodes.length === 0) return null;
    const roles = new Set<string>();
    const teams = new Set<string>();
    for (const row of page.nodes) {
      const role = row[roleField];
      const team = row[teamField];
      if (typeof role === "string") roles.add(role);
      if (typeof team === "string") teams.add(team);
    }
    return { roles: [...roles], teams: [...teams] };
  };
}

export interface MembershipCacheOptions {
  /**
   * How long a looked-up membership (or its absence) is trusted; default 2,000 ms. This bounds how
   * stale an answer can be when the change that revoked (or granted) it is not reported through
   * `invalidate`: a write on another node before its event reaches this one.
   */
  ttlMs?: number;
  /** Default 10,000 (sub, tenant) pairs; the least recently used are dropped. */
  maxEntries?: number;
}

export interface CachedMembershipCheck extends MembershipCheck {
  /** Forgets the memberships of one tenant (null: of every tenant); call it for each committed Membership change. */
  invalidate(tenantId: string | null): void;
}

/**
 * A membership check with a small cache of its own, so that the auth path stays cheap when the
 * engine's read cache is off. Staleness is bounded twice: entries expire after `ttlMs`, and
 * `invalidate` (wired to committed Membership events) drops a tenant's entries at once. A lookup that
 * was running while its tenant was invalidated is returned but not cached.
 */
export function cachedMembershipCheck(check: MembershipCheck, options: MembershipCacheOptions = {}): CachedMembershipCheck {
  const ttlMs = options.ttlMs ?? 2_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { info: MembershipInfo | null; expiresAtMs: number; generation: number }>();
  const generations = new Map<string, number>();
  let everyTenant = 0;
  const generationOf = (tenantId: string): number => everyTenant + (generations.get(tenantId) ?? 0);
  const copy = (info: MembershipInfo | null): MembershipInfo | null => (info ? { roles: [...info.roles], teams: [...info.teams] } : null);

  const cached = (async (sub: string, tenantId: string) => {
    const tenant = tenantId.toLowerCase();
    const key = JSON.stringify([tenant, sub]);
    const generation = generationOf(tenant);
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      if (hit.generation === generation && Date.now() < hit.expiresAtMs) {
        entries.set(key, hit);
        return copy(hit.info);
      }
    }
    const info = await check(sub, tenantId);
    if (ttlMs > 0 && generationOf(tenant) === generation) {
      entries.set(key, { info: copy(info), expiresAtMs: Date.now() + ttlMs, generation });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    }
    return info;
  }) as CachedMembershipCheck;
  cached.invalidate = (tenantId) => {
    if (tenantId === null) everyTenant++;
    else {
      const tenant = tenantId.toLowerCase();
      generations.set(tenant, (generations.get(tenant) ?? 0) + 1);
    }
  };
  return cached;
}
