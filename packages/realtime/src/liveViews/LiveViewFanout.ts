// Live views: committed domain events, fanned out to `record:<Model>:<id>` and `board:<Model>` in
// the event's tenant. ONE consumer of the engine's committed event stream per node
// (`realtime:<nodeId>`, starting at the end of the log, cursor forgotten on stop), so nothing
// reacts to a write that rolled back, and each node serves its own connections.
//
// Authorisation is checked again for every event and subscriber, because joining a board only
// proved read permission on the model, and a record can change hands after one joined it: each
// subscriber gets a change only if the engine, with the subscriber's own RequestContext, returns
// the record (role matrix, row rules, policies, tenant), and only the fields it may read. Reads are
// batched: subscribers with the same principal and tenant share one `findMany(id_in: […])` per
// model and batch of events, whatever the number of their connections. A subscriber of a record's
// channel for whom that re-read no longer finds the record is removed from the channel (`left`,
// reason `access_revoked`): presence and broadcasts about the record stop reaching it too.
//
// The dispatcher calls the consumer inside its delivery transaction, so the handler only queues
// (reading there would wait on that transaction, forever on PGlite's single connection).
import { Authorizer, EngineError, systemContext, type Engine, type EventDispatcher, type EventRecord, type RecordData, type RequestContext } from "@tessera/engine";
import { SYSTEM_FIELDS, type ModelIR } from "@tessera/schema";
import { boardChannel, recordChannel, userChannel } from "../protocol/channelName.ts";
import type { ChangeServerFrame, JsonValue } from "../protocol/frames.ts";
import type { HubConnection } from "../hub/HubConnection.ts";
import { OutboundFrame } from "../hub/OutboundFrame.ts";
import type { RealtimeHub } from "../hub/RealtimeHub.ts";

export interface LiveViewOptions {
  /** Names the consumer `realtime:<nodeId>`: unique per running node. */
  nodeId: string;
  /** Default: the engine's dispatcher. */
  dispatcher?: EventDispatcher;
  /** The model whose ids principals' subs are (assignment notices on `user:` channels); default `User`. */
  userModel?: string;
  /** Events that may wait for fan-out; more are dropped and counted. Default 10,000. */
  backlogLimit?: number;
  onError?: (error: unknown, context: string) => void;
}

export interface LiveViewStats {
  /** Events that concerned a local subscriber. */
  events: number;
  /** `change` frames sent. */
  frames: number;
  /** Engine reads made to decide who sees what. */
  reads: number;
  /** Events dropped because the backlog was full. */
  overflowed: number;
  backlog: number;
}

/** Events fanned out per round (their reads are batched). */
const ROUND = 500;

interface Delivery {
  event: EventRecord;
  channel: string;
  connection: HubConnection;
}

interface Scope {
  request: RequestContext;
  deliveries: Delivery[];
  idsByModel: Map<string, Set<string>>;
}

export class LiveViewFanout {
  readonly consumer: string;
  private readonly counters = { events: 0, frames: 0, reads: 0, overflowed: 0 };
  private readonly backlogLimit: number;
  private readonly models: Map<string, ModelIR>;
  private readonly userModel: string;
  private backlog: EventRecord[] = [];
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly engine: Engine,
    private readonly options: LiveViewOptions,
  ) {
    this.consumer = `realtime:${options.nodeId}`;
    this.backlogLimit = options.backlogLimit ?? 10_000;
    this.userModel = options.userModel ?? "User";
    this.models = new Map(engine.schema.models.map((m) => [m.name, m]));
  }

  /** Registers the consumer; events flow once the dispatcher runs (`engine.start()`). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Per node: reaped by the other nodes if this one dies without stop().
    await this.dispatcher.subscribe(this.consumer, (events) => this.enqueue(events), { perNode: true });
  }

  /** Stops and deletes the consumer's cursor: live views die with the node. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.backlog = [];
    if (this.started) await this.dispatcher.unsubscribe(this.consumer, { forget: true }).catch((error: unknown) => this.report(error, "releasing the live-view consumer"));
    await this.running;
  }

  stats(): LiveViewStats {
    return { ...this.counters, backlog: this.backlog.length };
  }

  private get dispatcher(): EventDispatcher {
    return this.options.dispatcher ?? this.engine.events;
  }

  private enqueue(events: readonly EventRecord[]): void {
    if (this.stopped) return;
    for (const event of events) {
      // Another node's write reaches this node's read cache through its own consumer, which may run
      // after this one: invalidate first, so the reads below cannot see the cached past.
      this.engine.cache?.invalidate(event.tenantId, event.model);
      if (!this.concernsAnyone(event)) continue;
      if (this.backlog.length >= this.backlogLimit) {
        this.counters.overflowed++;
        continue;
      }
      this.counters.events++;
      this.backlog.push(event);
    }
    this.kick();
  }

  private kick(): void {
    if (this.running || this.backlog.length === 0) return;
    this.running = (async () => {
      while (this.backlog.length > 0 && !this.stopped) {
        const round = this.backlog.splice(0, ROUND);
        try {
          await this.fanOut(round);
        } catch (error) {
          this.report(error, "fanning out committed events");
        }
      }
    })().finally(() => {
      this.running = undefined;
      // Events queued while the loop was finishing.
      this.kick();
    });
  }

  /**
   * The channels an event is delivered on: its record's, its model's board, and the `user:` channel
   * of everyone the change assigned the record to — a belongsTo-User key (owner, assignee, …) set to
   * them by someone else — so "you were assigned" reaches them wherever the change was made.
   */
  private channelsOf(event: EventRecord): string[] {
    const channels = [recordChannel(event.model, event.recordId), boardChannel(event.model)];
    const model = this.models.get(event.model);
    if (!model || (event.type !== "Created" && event.type !== "Updated")) return channels;
    for (const relation of model.relations) {
      if (relation.kind !== "belongsTo" || relation.target !== this.userModel) continue;
      const assigned = event.changes[relation.foreignKey]?.to;
      if (typeof assigned === "string" && assigned !== event.actor) channels.push(userChannel(assigned));
    }
    return channels;
  }

  private concernsAnyone(event: EventRecord): boolean {
    for (const channel of this.channelsOf(event)) {
      for (const _ of this.recipients(event, channel)) return true;
    }
    return false;
  }

  /** Local connections on `channel` that may be concerned by the event (its tenant). */
  private *recipients(event: EventRecord, channel: string): Iterable<HubConnection> {
    if (event.tenantId !== null) {
      yield* this.hub.localMembers(event.tenantId, channel) ?? [];
      return;
    }
    // A platform model changed without a tenant (decisions.md): that concerns every tenant.
    if (this.models.get(event.model)?.tenantScoped !== false) return;
    for (const key of this.hub.localKeysOf(channel) ?? []) yield* this.hub.membersOfKey(key) ?? [];
  }

  private async fanOut(events: readonly EventRecord[]): Promise<void> {
    const scopes = new Map<string, Scope>();
    for (const event of events) {
      for (const channel of this.channelsOf(event)) {
        for (const connection of this.recipients(event, channel)) {
          if (connection.closed) continue;
          const scopeKey = JSON.stringify([connection.identity.tenantId, connection.identity.request.principal]);
          let scope = scopes.get(scopeKey);
          if (!scope) {
            scope = { request: connection.identity.request, deliveries: [], idsByModel: new Map() };
            scopes.set(scopeKey, scope);
          }
          scope.deliveries.push({ event, channel, connection });
          if (event.type !== "Destroyed") {
            let ids = scope.idsByModel.get(event.model);
            if (!ids) scope.idsByModel.set(event.model, (ids = new Set()));
            ids.add(event.recordId);
          }
        }
      }
    }
    for (const scope of scopes.values()) await this.deliver(scope);
  }

  /** One principal's share of a round: read what it may see, then send. */
  private async deliver(scope: Scope): Promise<void> {
    const visible = new Map<string, Map<string, RecordData>>();
    for (const [modelName, ids] of scope.idsByModel) {
      const found = await this.readVisible(modelName, [...ids], scope.request);
      // A read that failed (not a refusal) tells nothing: no frames, and nobody is removed.
      if (found) visible.set(modelName, found);
    }
    const stillThere = await this.existingAmongLost(scope, visible);
    const auth = new Authorizer(this.engine.schema, scope.request);
    const frames = new Map<string, OutboundFrame | null>();
    const removed = new Set<string>();
    for (const { event, channel, connection } of scope.deliveries) {
      if (removed.has(`${connection.id}|${channel}`)) continue;
      const cacheKey = `${event.seq}|${channel}`;
      let frame = frames.get(cacheKey);
      if (frame === undefined) {
        frame = this.frameFor(event, channel, visible.get(event.model), auth);
        frames.set(cacheKey, frame);
      }
      if (!frame && this.lostRecord(event, channel, visible.get(event.model)) && stillThere.has(`${event.model}|${event.recordId}`)) {
        // The record of this channel is no longer readable for the subscriber: it leaves the channel,
        // so neither presence nor broadcasts about the record reach it any more.
        if (event.tenantId !== null) this.hub.revoke(connection, event.tenantId, channel);
        removed.add(`${connection.id}|${channel}`);
        continue;
      }
      if (!frame || connection.closed) continue;
      connection.send(frame);
      this.counters.frames++;
    }
  }

  /**
   * Of the records this scope's re-read did not find on their own channels, those that still exist
   * (`model|id`), read with the system context: a record destroyed since its event (in this round or
   * a later one) is not a revocation — its Destroyed event follows.
   */
  private async existingAmongLost(scope: Scope, visible: Map<string, Map<string, RecordData>>): Promise<Set<string>> {
    const lost = new Map<string, { tenantId: string; ids: Set<string> }>();
    for (const { event, channel } of scope.deliveries) {
      if (event.tenantId === null || !this.lostRecord(event, channel, visible.get(event.model))) continue;
      const entry = lost.get(event.model) ?? { tenantId: event.tenantId, ids: new Set<string>() };
      entry.ids.add(event.recordId);
      lost.set(event.model, entry);
    }
    const existing = new Set<string>();
    for (const [modelName, { tenantId, ids }] of lost) {
      const found = await this.readVisible(modelName, [...ids], systemContext(tenantId));
      for (const id of found?.keys() ?? []) existing.add(`${modelName}|${id}`);
    }
    return existing;
  }

  /** Whether `channel` is the event's own record channel and the subscriber's re-read did not find the record. */
  private lostRecord(event: EventRecord, channel: string, visible: Map<string, RecordData> | undefined): boolean {
    if (event.type === "Destroyed" || channel !== recordChannel(event.model, event.recordId) || !visible) return false;
    return !visible.has(event.recordId);
  }

  private frameFor(event: EventRecord, channel: string, visible: Map<string, RecordData> | undefined, auth: Authorizer): OutboundFrame | null {
    const model = this.models.get(event.model);
    if (!model) return null;
    let record: RecordData | null = null;
    if (event.type === "Destroyed") {
      // The row is gone, so row rules cannot be evaluated any more: like the engine's history of a
      // destroyed record, only subscribers whose reads of the model are not row-restricted see it.
      const decision = auth.decide(model, "read");
      if (decision instanceof EngineError || decision.grants !== null || decision.denies.length > 0) return null;
    } else {
      const found = visible?.get(event.recordId);
      if (!found) return null;
      record = withoutTenant(model, found);
    }
    const frame: ChangeServerFrame = {
      type: "change",
      channel,
      model: event.model,
      id: event.recordId,
      event: event.type,
      seq: event.seq,
      record: record as { [field: string]: JsonValue } | null,
      changedFields: Object.keys(event.changes).filter((name) => {
        const field = model.fields.find((f) => f.name === name);
        return field !== undefined && field.column !== SYSTEM_FIELDS.tenantId && auth.canReadField(model, field);
      }),
      actor: event.actor,
      at: event.at,
    };
    return OutboundFrame.of(frame);
  }

  /**
   * The records among `ids` the principal may read, as it may read them (soft-deleted included); an
   * empty map when it may not read the model at all; null when a read failed.
   */
  private async readVisible(modelName: string, ids: string[], request: RequestContext): Promise<Map<string, RecordData> | null> {
    const model = this.models.get(modelName);
    const found = new Map<string, RecordData>();
    if (!model) return found;
    const pageSize = this.engine.schema.config.maxPageSize;
    for (let i = 0; i < ids.length; i += pageSize) {
      const chunk = ids.slice(i, i + pageSize);
      this.counters.reads++;
      try {
        const page = await this.engine.model(modelName).findMany(
          {
            where: { [`${model.primaryKey}_in`]: chunk },
            first: chunk.length,
            ...(this.engine.schema.config.softDeletes ? { deleted: "include" as const } : {}),
          },
          request,
        );
        for (const node of page.nodes) found.set(String(node[model.primaryKey]), node);
      } catch (error) {
        // A principal that may not read the model at all sees none of it; anything else is a fault.
        if (!(error instanceof EngineError && (error.code === "FORBIDDEN" || error.code === "UNAUTHENTICATED"))) {
          this.report(error, `reading ${modelName} for live views`);
          return null;
        }
      }
    }
    return found;
  }

  private report(error: unknown, context: string): void {
    if (this.options.onError) this.options.onError(error, context);
    else process.emitWarning(`${context}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function withoutTenant(model: ModelIR, record: RecordData): RecordData {
  const tenantField = model.fields.find((f) => f.column === SYSTEM_FIELDS.tenantId)?.name;
  if (!tenantField || !(tenantField in record)) return record;
  const { [tenantField]: _dropped, ...rest } = record;
  void _dropped;
  return rest;
}
