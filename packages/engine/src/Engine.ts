import type { SchemaIR } from "@tessera/schema";
import type { Database } from "@tessera/db";
import { ReadCache, type ReadCacheOptions } from "./cache/ReadCache.ts";
import type { EngineCore } from "./EngineCore.ts";
import { EventDispatcher, type DispatcherOptions } from "./events/EventDispatcher.ts";
import type { RequestContext } from "./queryTypes.ts";
import { Repository } from "./Repository.ts";
import { TenantRegistry } from "./TenantRegistry.ts";

export interface EngineOptions {
  schema: SchemaIR;
  db: Database;
  /** `false` turns the read cache off. */
  cache?: ReadCacheOptions | false;
  dispatcher?: DispatcherOptions;
}

/** The context of the unchecked system API: seeding, migrations, tenant administration. */
export function systemContext(tenantId: string | null): RequestContext {
  return { tenantId, principal: { sub: "system", roles: ["system"], kind: "system" } };
}

export class Engine implements EngineCore {
  readonly schema: SchemaIR;
  readonly db: Database;
  readonly cache: ReadCache | undefined;
  readonly events: EventDispatcher;
  readonly tenants: TenantRegistry;
  private readonly repositories = new Map<string, Repository>();

  constructor(options: EngineOptions) {
    this.schema = options.schema;
    this.db = options.db;
    this.cache = options.cache === false ? undefined : new ReadCache(options.cache);
    this.events = new EventDispatcher(options.db, options.dispatcher);
    this.tenants = new TenantRegistry(options.db);
  }

  /** The repository of one model: `engine.model("Deal").create(data, ctx)`. */
  model(name: string): Repository {
    let repo = this.repositories.get(name);
    if (!repo) {
      repo = new Repository(this, name);
      this.repositories.set(name, repo);
    }
    return repo;
  }

  afterCommit(tenantId: string | null, model: string): void {
    this.cache?.invalidate(tenantId, model);
  }

  /**
   * Starts event delivery. The cache consumer makes changes committed by other nodes invalidate
   * this node's cache too; its name is per process so every node gets every event.
   */
  async start(options: { nodeId?: string } = {}): Promise<void> {
    if (this.cache) {
      const cache = this.cache;
      await this.events.subscribe(`cache:${options.nodeId ?? process.pid}`, (events) => {
        for (const e of events) cache.invalidate(e.tenantId, e.model);
      });
    }
    await this.events.start();
  }

  async stop(): Promise<void> {
    await this.events.stop();
  }
}
