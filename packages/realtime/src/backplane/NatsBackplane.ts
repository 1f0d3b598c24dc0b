// The NATS backplane: core NATS publish/subscribe on one subject (no JetStream: presence and
// broadcasts are transient, a node that was away asks for state again). One connection keeps a
// node's messages in order.
import { connect, type NatsConnection, type Subscription } from "nats";
import { BackplaneError, DEFAULT_TOPIC, type Backplane } from "./Backplane.ts";
import { redacted } from "./RedisBackplane.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NatsBackplane implements Backplane {
  readonly kind = "nats" as const;
  private connection: NatsConnection | undefined;
  private subscription: Subscription | undefined;

  constructor(
    private readonly url: string,
    readonly subject: string = DEFAULT_TOPIC,
  ) {}

  async start(onMessage: (message: string) => void, onError: (error: Error) => void): Promise<void> {
    let connection: NatsConnection;
    try {
      connection = await connect({ servers: this.url, name: "tessera-realtime", maxReconnectAttempts: -1 });
    } catch (error) {
      throw new BackplaneError(`cannot reach NATS at ${redacted(this.url)}: ${(error as Error).message}`, { cause: error });
    }
    this.subscription = connection.subscribe(this.subject, {
      callback: (error, message) => {
        if (error) onError(error);
        else onMessage(decoder.decode(message.data));
      },
    });
    // Reconnects and slow-consumer notices come as status events; errors among them are reported.
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === "error") onError(new BackplaneError(`NATS: ${String(status.data)}`));
      }
    })().catch(() => undefined);
    this.connection = connection;
  }

  async publish(message: string): Promise<void> {
    if (!this.connection || this.connection.isClosed()) throw new BackplaneError("the NATS backplane is not started");
    this.connection.publish(this.subject, encoder.encode(message));
  }

  async stop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (connection && !connection.isClosed()) await connection.close();
  }
}
