// One client's outbound queue, bounded. Frames go to the transport at most `maxInFlight` at a time;
// a frame counts as in flight until the transport says it was written out (for WebSocket: handed
// to the kernel), so a client that stops reading fills its TCP window, then this queue. A frame
// that finds the queue full is dropped and counted. A client that drops `dropLimit` frames without
// catching up in between is too slow and is disconnected; one that does catch up is told how many
// frames it missed (a `dropped` frame) so it can re-read what it shows. Memory per client stays
// bounded either way.
import { OutboundFrame } from "./OutboundFrame.ts";

export interface FrameSink {
  /** Hands one frame to the transport; `done` once it was written out, or failed. */
  send(frame: OutboundFrame, done: (error?: Error) => void): void;
}

export interface ClientQueueLimits {
  /** Frames that may wait (not counting those in flight). */
  limit: number;
  /** Frames handed to the transport and not yet written out. */
  maxInFlight: number;
  /** Drops without catching up after which the client is disconnected. */
  dropLimit: number;
}

export interface ClientQueueEvents {
  delivered(): void;
  dropped(): void;
  /** The client dropped `dropLimit` frames without catching up; close it. */
  tooSlow(): void;
}

export class ClientQueue {
  private items: (OutboundFrame | undefined)[] = [];
  private head = 0;
  private inFlight = 0;
  private pumping = false;
  private closed = false;
  private droppedSinceCaughtUp = 0;
  /** Frames dropped since the queue was made. */
  dropped = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly limits: ClientQueueLimits,
    private readonly events: ClientQueueEvents,
  ) {}

  /** Frames waiting (not yet handed to the transport). */
  get waiting(): number {
    return this.items.length - this.head;
  }

  push(frame: OutboundFrame): void {
    if (this.closed) return;
    if (this.waiting >= this.limits.limit) {
      this.dropped++;
      this.droppedSinceCaughtUp++;
      this.events.dropped();
      if (this.droppedSinceCaughtUp >= this.limits.dropLimit) {
        this.close();
        this.events.tooSlow();
      }
      return;
    }
    this.items.push(frame);
    this.pump();
  }

  /** Drops everything waiting; later pushes are ignored. */
  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
  }

  private pump(): void {
    // A transport may call `done` synchronously; the loop below then simply continues.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inFlight < this.limits.maxInFlight && this.head < this.items.length) {
        const frame = this.items[this.head]!;
        this.items[this.head++] = undefined;
        this.inFlight++;
        this.sink.send(frame, this.onWritten);
      }
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.pumping = false;
    }
  }

  private readonly onWritten = (error?: Error): void => {
    this.inFlight--;
    if (this.closed) return;
    // A failed write means the transport is closing; its close handler ends the connection.
    if (error) return;
    this.events.delivered();
    if (this.waiting === 0 && this.droppedSinceCaughtUp > 0) {
      this.items.push(OutboundFrame.of({ type: "dropped", count: this.droppedSinceCaughtUp }));
      this.droppedSinceCaughtUp = 0;
    }
    this.pump();
  };
}
