import type { SchemaIR } from "@tessera/schema";
import type { Database } from "@tessera/db";
import { ReadCache, type ReadCacheOptions } from "./cache/ReadCache.ts";
import type { EngineCore } from "./EngineCore.ts";
import { EventDispatcher, type DispatcherOptions } from "./events/EventDispatcher.ts";
import type { RequestContext } from "./queryTypes.ts";
import { Repository } from "./Repository.ts";
import { TenantRegistry } from "./TenantRegistry.ts";
import { writeTree } from "./write/writeTree.ts";
import type { WriteTree, WriteTreeResult } from "./write/writeTreeTypes.ts";

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

/** Told that a change to `model` in `tenantId` (null: a global model) has committed. Must not throw. */
export type CommitListener = (tenantId: string | null, model: string) => void;

export class Engine implements EngineCore {
  readonly schema: SchemaIR;
  readonly db: Database;
  readonly cache: ReadCache | undefined;
  readonly events: EventDispatcher;
  readonly tenants: TenantRegistry;
  private readonly repositories = new Map<string, Repository>();
  private readonly commitListeners = new Set<CommitListener>();

  constructor(options: EngineOptions) {
    this.schema = options.schema;
    this.db = options.db;
    this.cache = options.cache === false ? undefined : new ReadCache(options.cache);
    this.events = new EventDispatcher(options.db, options.dispatcher);
    this.tenants = new TenantRegistry(options.db);
  }

  /**
   * Creates or updates one record together with related records to create, connect or disconnect
   * (see WriteTree), all in one transaction: everything is written, with its events, or nothing.
   */
  write(tree: WriteTree, ctx: RequestContext): Promise<WriteTreeResult> {
    return writeTree(this, tree, ctx);
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
    this.notifyCommit(tenantId, model);
  }

  /**
   * Adds a listener of committed changes: writes through this engine (right after they commit) and,
   * once `start()`ed, every committed event of any node as the dispatcher delivers it. Caches outside
   * the engine (the auth layer's membership cache) invalidate through it. Returns the remover.
   */
  onCommit(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  private notifyCommit(tenantId: string | null, model: string): void {
    for (const listener of this.commitListeners) {
      try {
        listener(tenantId, model);
      } catch (error) {
        process.emitWarning(`commit listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Starts event delivery. The cache consumer makes changes committed by other nodes invalidate
   * this node's cache too, and tells the `onCommit` listeners (it also runs without a cache when
   * listeners were added before start); its name is per process so every node gets every event.
   */
  async start(options: { nodeId?: string } = {}): Promise<void> {
    if (this.cache || this.commitListeners.size > 0) {
      const cache = this.cache;
      this.cacheConsumer = `cache:${options.nodeId ?? process.pid}`;
      await this.events.subscribe(
        this.cacheConsumer,
        (events) => {
          for (const e of events) {
            cache?.invalidate(e.tenantId, e.model);
            this.notifyCommit(e.tenantId, e.model);
          }
        },
        { perNode: true },
      );
    }
    await this.events.start();
  }

  private cacheConsumer: string | undefined;

  async stop(): Promise<void> {
    await this.events.stop();
    // The cache dies with the process, so its cursor row must not pile up in tessera_consumers.
    if (this.cacheConsumer) await this.events.unsubscribe(this.cacheConsumer, { forget: true }).catch(() => undefined);
    this.cacheConsumer = undefined;
  }
}
