// The source of every subscription on this node: ONE consumer of the engine's committed event
// stream (EventDispatcher, name `graphql-ws:<nodeId>`, starting at the end of the log) fanning out
// to the node's subscriptions. Only committed events exist there, so nothing reacts to a write
// that rolled back.
//
// The dispatcher calls the consumer inside its delivery transaction, so the handler only queues:
// each subscription has a bounded queue and reads the record (through the engine, with its own
// context) when its client is ready for the next message. A subscription whose queue overflows —
// its client reads more slowly than changes arrive — is ended with a RATE_LIMITED error (the
// client re-subscribes and re-reads); memory per subscription stays bounded.
import { EngineError, type Engine, type EventDispatcher, type EventRecord } from "@tessera/engine";
import type { SchemaIR } from "@tessera/schema";
import { ChangeFilter, mayConcern, type ChangePayload, type ChangeSubscriptionSpec } from "./changeEvents.ts";

export const DEFAULT_QUEUE_LIMIT = 1_000;

export interface ChangeEventHubOptions {
  /** Names the dispatcher consumer `graphql-ws:<nodeId>`; unique per running node. Default: the process id. */
  nodeId?: string;
  /** Events a subscription may have waiting before it is ended as too slow. Default 1,000. */
  queueLimit?: number;
  /** Default: the engine's dispatcher. */
  dispatcher?: EventDispatcher;
  /** Called when delivering an event to a subscriber failed (the subscriber gets an INTERNAL error). */
  onError?: (error: unknown) => void;
}

/** What a subscription's iterator yields when delivering failed; the field resolver throws `error`. */
export class ChangeFailure {
  constructor(
    readonly error: unknown,
    /** After this failure the subscription ends. */
    readonly final: boolean,
  ) {}
}

export type ChangeStreamItem = ChangePayload | ChangeFailure;

export interface ChangeEventHubStats {
  /** Open now. */
  subscriptions: number;
  /** Opened since start. */
  opened: number;
  /** Subscriptions ended because their queue overflowed, since start. */
  overflowed: number;
}

/** One subscription: a bounded queue of events and an async iterator of change payloads. */
export class ChangeStream implements AsyncIterableIterator<ChangeStreamItem> {
  private queue: EventRecord[] = [];
  private wakeUp: (() => void) | undefined;
  private ended = false;
  private overflow = false;
  private pulling = false;
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(
    private readonly hub: ChangeEventHub,
    readonly filter: ChangeFilter,
    private readonly limit: number,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Resolves once the iterator has reported its end. */
  get done(): Promise<void> {
    return this.finished;
  }

  /** Queues an event (called from the dispatcher's consumer: must not block). */
  push(event: EventRecord): void {
    if (this.ended || this.overflow) return;
    if (!mayConcern(this.filter.spec, event)) return;
    if (this.queue.length >= this.limit) {
      this.overflow = true;
      this.queue = [];
      this.hub.noteOverflow();
    } else {
      this.queue.push(event);
    }
    this.wake();
  }

  /** Ends the subscription: a pending or later `next()` reports done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.hub.remove(this);
    // Nobody is waiting in next(): the end is reported on the next pull, if any.
    if (!this.pulling) this.resolveFinished();
    this.wake();
  }

  async next(): Promise<IteratorResult<ChangeStreamItem, undefined>> {
    this.pulling = true;
    try {
      return await this.pull();
    } finally {
      this.pulling = false;
    }
  }

  private async pull(): Promise<IteratorResult<ChangeStreamItem, undefined>> {
    for (;;) {
      if (this.ended) return this.finish();
      if (this.overflow) {
        this.end();
        const error = new EngineError(
          "RATE_LIMITED",
          `this subscription fell more than ${this.limit} changes behind and was ended; subscribe again and re-read what you show`,
        );
        return { done: false, value: new ChangeFailure(error, true) };
      }
      const event = this.queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        continue;
      }
      let payload: ChangePayload | null;
      try {
        payload = await this.filter.deliver(event);
      } catch (error) {
        this.hub.reportError(error);
        if (this.ended) return this.finish();
        return { done: false, value: new ChangeFailure(error, false) };
      }
      if (this.ended) return this.finish();
      if (payload) return { done: false, value: payload };
    }
  }

  async return(): Promise<IteratorResult<ChangeStreamItem, undefined>> {
    this.end();
    return this.finish();
  }

  async throw(error?: unknown): Promise<IteratorResult<ChangeStreamItem, undefined>> {
    this.end();
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): IteratorResult<ChangeStreamItem, undefined> {
    this.resolveFinished();
    return { done: true, value: undefined };
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }
}

/** The per-node fan-out of committed events to subscriptions. */
export class ChangeEventHub {
  private readonly streams = new Set<ChangeStream>();
  private readonly queueLimit: number;
  private readonly consumerName: string;
  private started = false;
  private closed = false;
  private overflowed = 0;
  private opened = 0;

  constructor(
    readonly engine: Engine,
    readonly ir: SchemaIR,
    private readonly options: ChangeEventHubOptions = {},
  ) {
    this.queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.consumerName = `graphql-ws:${options.nodeId ?? process.pid}`;
    if (!Number.isInteger(this.queueLimit) || this.queueLimit < 1) throw new RangeError(`queueLimit must be a positive integer, got ${this.queueLimit}`);
  }

  /** The dispatcher consumer's name (its durable cursor row in tessera_consumers). */
  get consumer(): string {
    return this.consumerName;
  }

  /** Registers the node's consumer. The dispatcher must be running (`engine.start()`) for events to flow. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const dispatcher = this.options.dispatcher ?? this.engine.events;
    // Per node: reaped by the other nodes if this one dies without release().
    await dispatcher.subscribe(this.consumerName, (events) => this.fanOut(events), { perNode: true });
  }

  /** A new subscription (already checked with `checkSubscription`). */
  open(spec: ChangeSubscriptionSpec): ChangeStream {
    const stream = new ChangeStream(this, new ChangeFilter(this.engine, this.ir, spec), this.queueLimit);
    this.opened++;
    if (this.closed) stream.end();
    else this.streams.add(stream);
    return stream;
  }

  /** Ends every subscription; resolves when each has reported its end to its reader. */
  async close(): Promise<void> {
    this.closed = true;
    const streams = [...this.streams];
    for (const stream of streams) stream.end();
    await Promise.all(streams.map((s) => s.done));
  }

  /**
   * Live subscriptions die with the node: drops its consumer and cursor row instead of leaving them
   * behind. Call after the sockets are closed (it costs a database round trip).
   */
  async release(): Promise<void> {
    const dispatcher: { unsubscribe?: EventDispatcher["unsubscribe"] } = this.options.dispatcher ?? this.engine.events;
    if (this.started) await dispatcher.unsubscribe?.(this.consumerName, { forget: true }).catch(() => undefined);
  }

  stats(): ChangeEventHubStats {
    return { subscriptions: this.streams.size, opened: this.opened, overflowed: this.overflowed };
  }

  /** @internal */
  remove(stream: ChangeStream): void {
    this.streams.delete(stream);
  }

  /** @internal */
  noteOverflow(): void {
    this.overflowed++;
  }

  /** @internal */
  reportError(error: unknown): void {
    this.options.onError?.(error);
  }

  private fanOut(events: readonly EventRecord[]): void {
    // The dispatcher offers no way to unsubscribe: after close the consumer stays and ignores events.
    if (this.closed || this.streams.size === 0) return;
    // Another node's write reaches this node's read cache through its own consumer, which may run
    // after this one: invalidate first, so the subscribers' reads cannot see the cached past.
    for (const event of events) this.engine.cache?.invalidate(event.tenantId, event.model);
    for (const stream of this.streams) for (const event of events) stream.push(event);
  }
}
