// The Redis backplane: pub/sub on one channel, a publishing and a subscribed connection (a
// subscribed Redis connection can do nothing else). Order is kept per publisher: one connection.
import { Redis } from "ioredis";
import { BackplaneError, DEFAULT_TOPIC, type Backplane } from "./Backplane.ts";

export class RedisBackplane implements Backplane {
  readonly kind = "redis" as const;
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;

  constructor(
    private readonly url: string,
    readonly channel: string = DEFAULT_TOPIC,
  ) {}

  async start(onMessage: (message: string) => void, onError: (error: Error) => void): Promise<void> {
    // lazyConnect: `connect()` rejects when Redis cannot be reached, instead of retrying silently.
    const publisher = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    const subscriber = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    // ioredis emits 'error' while it reconnects; without a listener that would crash the process.
    publisher.on("error", onError);
    subscriber.on("error", onError);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(this.channel);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw new BackplaneError(`cannot reach Redis at ${redacted(this.url)}: ${(error as Error).message}`, { cause: error });
    }
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === this.channel) onMessage(message);
    });
    this.publisher = publisher;
    this.subscriber = subscriber;
  }

  async publish(message: string): Promise<void> {
    if (!this.publisher) throw new BackplaneError("the Redis backplane is not started");
    await this.publisher.publish(this.channel, message);
  }

  async stop(): Promise<void> {
    const { publisher, subscriber } = this;
    this.publisher = undefined;
    this.subscriber = undefined;
    await Promise.all([publisher?.quit().catch(() => publisher.disconnect()), subscriber?.quit().catch(() => subscriber.disconnect())]);
  }
}

/** A URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}
