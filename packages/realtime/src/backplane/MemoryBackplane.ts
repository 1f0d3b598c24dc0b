// The single-process backplane (the default). Alone it connects nothing: a single node needs no
// backplane. Several hubs in one process (tests, the benchmark) can share a `MemoryBus`.
import { BackplaneError, type Backplane } from "./Backplane.ts";

export class MemoryBus {
  private readonly members = new Set<(message: string) => void>();

  join(receive: (message: string) => void): () => void {
    this.members.add(receive);
    return () => this.members.delete(receive);
  }

  send(message: string): void {
    // Asynchronous like a network: a publisher never re-enters its own handlers.
    for (const receive of this.members) setImmediate(receive, message);
  }
}

export class MemoryBackplane implements Backplane {
  readonly kind = "memory" as const;
  private leave: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly bus: MemoryBus = new MemoryBus()) {}

  async start(onMessage: (message: string) => void, _onError?: (error: Error) => void): Promise<void> {
    this.stopped = false;
    this.leave = this.bus.join(onMessage);
  }

  async publish(message: string): Promise<void> {
    if (this.stopped) throw new BackplaneError("the memory backplane was stopped");
    this.bus.send(message);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.leave?.();
    this.leave = undefined;
  }
}
