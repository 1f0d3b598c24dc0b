// Delivers committed events, in seq order, to named consumers. Each consumer's position is a durable
// cursor in tessera_consumers, so several nodes can run dispatchers: a consumer's batch is claimed
// with FOR UPDATE SKIP LOCKED on its cursor row, delivered, and the cursor advanced in the same
// transaction. Delivery is at-least-once: a consumer that crashes mid-batch sees the batch again,
// so consumers must be idempotent (they get `seq` to de-duplicate by).
import { EVENTS_CHANNEL, quoteIdent, SYSTEM_TABLES, type Database } from "@tessera/db";
import { EVENT_COLUMNS, toEventRecord, type EventRecord } from "./EventRecord.ts";

export type EventHandler = (events: EventRecord[]) => Promise<void> | void;

export interface DispatcherOptions {
  batchSize?: number;
  /** Poll even without NOTIFY, in case a wake-up is lost (ms). */
  pollIntervalMs?: number;
}

export interface DispatcherStats {
  /** Events handed to consumers (a batch redelivered after a failure counts again). */
  delivered: number;
  /** Seconds between the last delivered event's commit time and its delivery. */
  lagSeconds: number;
}

export class EventDispatcher {
  readonly stats: DispatcherStats = { delivered: 0, lagSeconds: 0 };
  private consumers = new Map<string, EventHandler>();
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly db: Database,
    options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /**
   * Registers a consumer. A new consumer starts at the end of the log unless `fromStart` is set
   * (projections rebuilt by replay start from the beginning).
   */
  async subscribe(name: string, handler: EventHandler, options: { fromStart?: boolean } = {}): Promise<void> {
    const start = options.fromStart ? "0" : `(SELECT coalesce(max(seq), 0) FROM ${quoteIdent(SYSTEM_TABLES.events)})`;
    await this.db.query(`INSERT INTO ${quoteIdent(SYSTEM_TABLES.consumers)} (name, position) VALUES ($1, ${start}) ON CONFLICT (name) DO NOTHING`, [name]);
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
    while (this.pumping) await this.pumping;
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
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.();
    await this.pumping;
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
        await tx.query(`UPDATE ${quoteIdent(SYSTEM_TABLES.consumers)} SET position = $2::bigint, updated_at = now() WHERE name = $1`, [
          name,
          String(events[events.length - 1].seq),
        ]);
        return events.length;
      },
      { role: false },
    );
  }
}
