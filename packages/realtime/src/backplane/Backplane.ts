// How the nodes of a cluster hear each other: every message a node publishes reaches every node
// (its own included, on some implementations; the hub ignores its own). Messages are opaque text.
// Order is kept per publishing node. Delivery is best effort (pub/sub): the hub's node heartbeats
// carry a digest of each node's state so a node that missed messages asks for that state again.
export type BackplaneKind = "memory" | "postgres" | "redis" | "nats";

export interface Backplane {
  readonly kind: BackplaneKind;
  /** Connects and starts delivering messages; rejects when the service cannot be reached. */
  start(onMessage: (message: string) => void, onError: (error: Error) => void): Promise<void>;
  publish(message: string): Promise<void>;
  /** Disconnects; later publishes fail. */
  stop(): Promise<void>;
}

export class BackplaneError extends Error {
  readonly code = "BACKPLANE_UNAVAILABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackplaneError";
  }
}

/** Topic names: letters, digits, `_`, `.`, `:`, `-`; each implementation narrows further. */
export const DEFAULT_TOPIC = "tessera_realtime";
