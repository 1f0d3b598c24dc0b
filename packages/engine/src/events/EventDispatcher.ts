// Delivers committed events, in seq order, to named consumers. Each consumer's position is a durable
// cursor in tessera_consumers, so several nodes can run dispatchers: a consumer's batch is claimed
// with FOR UPDATE SKIP LOCKED on its cursor row, delivered, and the cursor advanced in the same
// transaction. Delivery is at-least-once: a consumer that crashes mid-batch sees the batch again,
// so consumers must be idempotent (they get `seq` to de-duplicate by).
//
// Per-node consumers (state in one process: a node's cache, its live subscriptions) delete their row
// when the node stops; a node that dies (kill -9, OOM, lost machine) cannot. So a running dispatcher
// marks its per-node rows alive every `heartbeatMs` (updated_at) and deletes the per-node rows no
// node has marked for `perNodeTtlMs`: at start and at every heartbeat, on every node, with SKIP
// LOCKED so a row being delivered is never touched. Durable consumers' rows (per_node false) are
// never reaped. A live node whose rows were reaped anyway (it could not reach the database for
// longer than the TTL) puts them back at the position it had reached, so it loses no event.
import { EVENTS_CHANNEL, quoteIdent, SYSTEM_TABLES, type Database } from "@tessera/db";
import { EVENT_COLUMNS, toEventRecord, type EventRecord } from "./EventRecord.ts";

export type EventHandler = (events: EventRecord[]) => Promise<void> | void;

export interface DispatcherOptions {
  batchSize?: number;
  /** Poll even without NOTIFY, in case a wake-up is lost (ms). */
  pollIntervalMs?: number;
  /** How often a running dispatcher marks its per-node consumers alive and reaps dead nodes' rows (ms). Default 30 s. */
  heartbeatMs?: number;
  /**
   * A per-node consumer row nobody marked alive for this long belongs to a dead node and is deleted
   * (ms). Default 5 minutes (ten heartbeats); at least three heartbeats, so one late heartbeat never
   * reaps a live node.
   */
  perNodeTtlMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 30_000;
export const DEFAULT_PER_NODE_TTL_MS = 300_000;

export interface DispatcherStats {
  /** Events handed to consumers (a batch redelivered after a failure counts again). */
  delivered: number;
  /** Seconds between the last delivered event's commit time and its delivery. */
  lagSeconds: number;
  /** Cursor rows of dead nodes' per-node consumers this dispatcher deleted. */
  reaped: number;
}

export interface SubscribeOptions {
  /** Start at the first event (projections rebuilt by replay) instead of the end of the log. */
  fromStart?: boolean;
  /**
   * The consumer's state lives in this process (name it per node: `cache:<nodeId>`): its row is kept
   * alive by this dispatcher's heartbeat and reaped by any node once this one is gone.
   */
  perNode?: boolean;
}

export class EventDispatcher {
  readonly stats: DispatcherStats = { delivered: 0, lagSeconds: 0, reaped: 0 };
  private consumers = new Map<string, EventHandler>();
  /** Per-node consumers of this dispatcher → the position delivered so far (a bigint as text). */
  private readonly perNode = new Map<string, string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly heartbeatMs: number;
  private readonly perNodeTtlMs: number;

  constructor(
    private readonly db: Database,
    options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.perNodeTtlMs = options.perNodeTtlMs ?? DEFAULT_PER_NODE_TTL_MS;
    if (!(this.heartbeatMs > 0) || !(this.perNodeTtlMs >= 3 * this.heartbeatMs)) {
      throw new RangeError(`perNodeTtlMs (${this.perNodeTtlMs}) must be at least three heartbeats (heartbeatMs ${this.heartbeatMs})`);
    }
  }

  /**
   * Registers a consumer. A new consumer starts at the end of the log unless `fromStart` is set
   * (projections rebuilt by replay start from the beginning). A per-node consumer taking over an
   * existing row (a node restarted under the same id) marks it alive.
   */
  async subscribe(name: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    const consumers = quoteIdent(SYSTEM_TABLES.consumers);
    const start = options.fromStart ? "0" : `(SELECT coalesce(max(seq), 0) FROM ${quoteIdent(SYSTEM_TABLES.events)})`;
    if (options.perNode) {
      const { rows } = await this.db.transaction(
        (tx) =>
          tx.query<{ position: string }>(
            `INSERT INTO ${consumers} (name, position, per_node) VALUES ($1, ${start}, true)
             ON CONFLICT (name) DO UPDATE SET per_node = true, updated_at = now() RETURNING position::text AS position`,
            [name],
          ),
        { role: false },
      );
      this.perNode.set(name, rows[0].position);
    } else {
      await this.db.query(`INSERT INTO ${consumers} (name, position) VALUES ($1, ${start}) ON CONFLICT (name) DO NOTHING`, [name]);
    }
    this.consumers.set(name, handler);
    this.wake();
  }

  /**
   * Stops delivering to a consumer. `forget` also deletes its cursor row: right for consumers whose
   * state lives in this process (a node's cache, its live subscriptions), which start at the end of
   * the log again when the process does; durable projections keep their cursor.
   */
  async unsubscribe(name: string, options: { forget?: boolean } = {}): Promise<void> {
    this.consumers.delete(name);
    this.perNode.delete(name);
    while (this.pumping) await this.pumping;
    // A heartbeat that started before could put the row back after the DELETE below.
    while (this.beating) await this.beating;
    if (options.forget) {
      await this.db.transaction((tx) => tx.query(`DELETE FROM ${quoteIdent(SYSTEM_TABLES.consumers)} WHERE name = $1`, [name]), { role: false });
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.db.listen(EVENTS_CHANNEL, () => this.wake());
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.wake();
        if (this.running) tick();
      }, this.pollIntervalMs);
      this.timer.unref?.();
    };
    tick();
    this.wake();
    await this.keepAlive();
    const beat = (): void => {
      this.heartbeat = setTimeout(() => {
        void this.keepAlive().finally(() => {
          if (this.running) beat();
        });
      }, this.heartbeatMs);
      this.heartbeat.unref?.();
    };
    if (this.running) beat(); // stop() may have come during the first heartbeat
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearTimeout(this.heartbeat);
    await this.unlisten?.();
    await this.pumping;
    await this.beating;
  }

  /**
   * Marks this dispatcher's per-node consumers alive, putting back at their last delivered position
   * any row that was reaped meanwhile. Runs every `heartbeatMs` once started.
   */
  async markAlive(): Promise<void> {
    const names = [...this.perNode.keys()];
    if (names.length === 0) return;
    const consumers = quoteIdent(SYSTEM_TABLES.consumers);
    await this.db.transaction(
      async (tx) => {
        await tx.query(
          `INSERT INTO ${consumers} (name, position, per_node)
           SELECT c.name, c.position, true FROM unnest($1::text[], $2::bigint[]) AS c(name, position)
           ON CONFLICT (name) DO NOTHING`,
          [names, names.map((name) => this.perNode.get(name) ?? "0")],
        );
        // A row locked by a delivery in progress is skipped: that delivery sets updated_at itself.
        await tx.query(
          `UPDATE ${consumers} SET updated_at = now()
           WHERE name IN (SELECT name FROM ${consumers} WHERE name = ANY($1::text[]) FOR UPDATE SKIP LOCKED)`,
          [names],
        );
      },
      { role: false },
    );
  }

  /**
   * Deletes the rows of per-node consumers nobody marked alive for `perNodeTtlMs` (their node is
   * gone), never a durable consumer's row, this dispatcher's own, or a row being delivered right now.
   * Times are the database's, so nodes' clocks need not agree. Returns the names deleted.
   */
  async reapDeadConsumers(): Promise<string[]> {
    const consumers = quoteIdent(SYSTEM_TABLES.consumers);
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query<{ name: string }>(
          `DELETE FROM ${consumers} WHERE name IN (
             SELECT name FROM ${consumers}
             WHERE per_node AND updated_at < now() - $1::bigint * interval '1 millisecond' AND NOT (name = ANY($2::text[]))
             FOR UPDATE SKIP LOCKED)
           RETURNING name`,
          [this.perNodeTtlMs, [...this.perNode.keys()]],
        ),
      { role: false },
    );
    this.stats.reaped += rows.length;
    return rows.map((r) => r.name).sort();
  }

  /** One heartbeat: mark this node's rows, then reap dead nodes'. A failure is reported and retried next time. */
  private keepAlive(): Promise<void> {
    this.beating ??= (async () => {
      try {
        await this.markAlive();
        await this.reapDeadConsumers();
      } catch (error) {
        process.emitWarning(`consumer heartbeat failed: ${(error as Error).message}`);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /**
   * Delivers everything committed so far; resolves when every consumer of this dispatcher has
   * caught up. Waits for a delivery already running here, whose cursor locks it would otherwise skip.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    while (this.pumping) await this.pumping;
    // Events committed before this call may still be held back by the xmin gate: the snapshot's
    // xmin is cluster-wide, so any open transaction (even in another database of the server)
    // delays them. Keep delivering until every consumer has passed them, for a bounded time.
    const target = await this.lastCommittedSeq();
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      await this.deliverAll();
      if ((await this.slowestPosition()) >= target || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async lastCommittedSeq(): Promise<number> {
    const { rows } = await this.db.transaction(
      (tx) => tx.query<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM ${quoteIdent(SYSTEM_TABLES.events)}`),
      { role: false },
    );
    return Number(rows[0].seq);
  }

  private async slowestPosition(): Promise<number> {
    if (this.consumers.size === 0) return Number.POSITIVE_INFINITY;
    const { rows } = await this.db.transaction(
      (tx) =>
        tx.query<{ position: string }>(`SELECT coalesce(min(position), 0)::text AS position FROM ${quoteIdent(SYSTEM_TABLES.consumers)} WHERE name = ANY($1::text[])`, [
          [...this.consumers.keys()],
        ]),
      { role: false },
    );
    return Number(rows[0].position);
  }

  private async deliverAll(): Promise<void> {
    for (;;) {
      let delivered = 0;
      for (const [name, handler] of this.consumers) delivered += await this.deliverBatch(name, handler);
      if (delivered === 0) return;
    }
  }

  private wake(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        try {
          await this.deliverAll();
        } catch (error) {
          // A failing consumer keeps its cursor; it is retried on the next wake-up or poll.
          process.emitWarning(`event dispatch failed: ${(error as Error).message}`);
        }
      } while (this.again && this.running);
      this.pumping = undefined;
    })();
  }

  private async deliverBatch(name: string, handler: EventHandler): Promise<number> {
    return this.db.transaction(
      async (tx) => {
        const cursor = await tx.query<{ position: string }>(
          `SELECT position::text AS position FROM ${quoteIdent(SYSTEM_TABLES.consumers)} WHERE name = $1 FOR UPDATE SKIP LOCKED`,
          [name],
        );
        if (cursor.rows.length === 0) return 0;
        // Only events whose transactions are older than every transaction still running: a lower
        // seq from a slower transaction can then never commit after a higher one was delivered.
        const { rows } = await tx.query<Record<string, unknown>>(
          `SELECT ${EVENT_COLUMNS} FROM ${quoteIdent(SYSTEM_TABLES.events)} e
           WHERE e.seq > $1::bigint AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY e.seq LIMIT $2`,
          [cursor.rows[0].position, this.batchSize],
        );
        if (rows.length === 0) return 0;
        const events = rows.map(toEventRecord);
        await handler(events);
        this.stats.delivered += events.length;
        this.stats.lagSeconds = Math.max(0, (Date.now() - Date.parse(events[events.length - 1].at)) / 1000);
        const position = String(events[events.length - 1].seq);
        await tx.query(`UPDATE ${quoteIdent(SYSTEM_TABLES.consumers)} SET position = $2::bigint, updated_at = now() WHERE name = $1`, [name, position]);
        // Where a reaped row of this node comes back (markAlive); unsubscribed meanwhile: not any more.
        if (this.perNode.has(name)) this.perNode.set(name, position);
        return events.length;
      },
      { role: false },
    );
  }
}
