// One authenticated client connection as the hub sees it, whatever carries it (WebSocket here).
import type { RequestContext } from "@tessera/engine";
import type { Peer, ServerFrame } from "../protocol/frames.ts";
import { ClientQueue, type ClientQueueEvents, type ClientQueueLimits, type FrameSink } from "./ClientQueue.ts";
import { OutboundFrame } from "./OutboundFrame.ts";

/** Who is connected: fixed when the connection authenticates. */
export interface ConnectionIdentity {
  tenantId: string;
  sub: string;
  /** Shown to others in presence and locks. */
  name: string | null;
  /** The engine context the connection authenticated as: channel authorisation and live views use it. */
  request: RequestContext;
}

/** What a transport gives the hub: a way to write frames and to close. */
export interface ConnectionTransport extends FrameSink {
  close(code: number, reason: string): void;
}

/** Frames a connection may send per second on average, and in a burst. */
export interface InboundRate {
  perSecond: number;
  burst: number;
}

export class HubConnection {
  /** Tenant-scoped keys of the channels joined. */
  readonly joined = new Set<string>();
  readonly queue: ClientQueue;
  /** When a frame last arrived (heartbeats). */
  lastSeen: number;
  closed = false;
  /** Inbound frames are handled one after another, in arrival order (a join is awaited before a publish). */
  chain: Promise<void> = Promise.resolve();
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly id: string,
    readonly identity: ConnectionIdentity,
    private readonly transport: ConnectionTransport,
    limits: ClientQueueLimits,
    events: ClientQueueEvents,
    private readonly rate: InboundRate,
    now: number,
  ) {
    this.queue = new ClientQueue(transport, limits, events);
    this.lastSeen = now;
    this.tokens = rate.burst;
    this.refilledAt = now;
  }

  get peer(): Peer {
    return { sub: this.identity.sub, name: this.identity.name, connectionId: this.id };
  }

  send(frame: OutboundFrame): void {
    this.queue.push(frame);
  }

  sendFrame(frame: ServerFrame): void {
    this.queue.push(OutboundFrame.of(frame));
  }

  /** Token bucket: false when the client sends faster than its rate. */
  admit(now: number): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  closeTransport(code: number, reason: string): void {
    this.transport.close(code, reason);
  }
}
