// A bounded, evicting cache of read results. Keys carry tenant and permission scope, so a result
// computed for one tenant or role set can never be served to another. Invalidation is driven by
// committed events (the dispatcher), by model and tenant: coarse but never stale.
import { LRUCache } from "lru-cache";
import type { RequestContext } from "../queryTypes.ts";

export interface ReadCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
}

export class ReadCache {
  private readonly entries: LRUCache<string, { value: unknown; generation: number }>;
  /** Bumped per `tenant|model` on every committed change; entries from older generations are stale. */
  private readonly generations = new Map<string, number>();
  readonly stats: ReadCacheStats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(options: ReadCacheOptions = {}) {
    this.entries = new LRUCache({ max: options.maxEntries ?? 5_000, ttl: options.ttlMs ?? 60_000 });
  }

  /**
   * Tenant + principal scope (kind, subject, sorted roles, teams and explicit permissions: everything
   * row rules, field access and policies depend on) + model + the query itself.
   */
  key(ctx: RequestContext, models: readonly string[], operation: string, args: unknown): string {
    const p = ctx.principal;
    const list = (values: readonly string[] | undefined): string => (values === undefined ? "-" : JSON.stringify([...values].sort()));
    const scope = JSON.stringify([ctx.tenantId ?? "-", p?.kind ?? "-", p?.sub ?? "-", list(p?.roles.map((r) => r.toLowerCase())), list(p?.teams), list(p?.permissions)]);
    return `${scope}|${[...models].sort().join(",")}|${operation}|${stableJson(args)}`;
  }

  /**
   * Returns the cached value or computes it. The generation is read before computing, so a change
   * committed while the query runs makes the new entry stale instead of caching old rows as fresh.
   */
  async getOrCompute<T>(key: string, tenantId: string | null, models: readonly string[], compute: () => Promise<T>): Promise<T> {
    const generation = this.generationOf(tenantId, models);
    const hit = this.entries.get(key);
    if (hit && hit.generation === generation) {
      this.stats.hits++;
      return hit.value as T;
    }
    this.stats.misses++;
    const value = await compute();
    this.entries.set(key, { value, generation });
    return value;
  }

  /** Called for each committed event. A null tenant (global models) invalidates every tenant's entries. */
  invalidate(tenantId: string | null, model: string): void {
    this.stats.invalidations++;
    const k = `${tenantId ?? "*"}|${model}`;
    this.generations.set(k, (this.generations.get(k) ?? 0) + 1);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private generationOf(tenantId: string | null, models: readonly string[]): number {
    let sum = 0;
    for (const model of models) {
      sum += this.generations.get(`${tenantId ?? "*"}|${model}`) ?? 0;
      sum += this.generations.get(`*|${model}`) ?? 0;
    }
    return sum;
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
