// The PostgreSQL backplane: LISTEN/NOTIFY through the Database interface, so it works on PGlite
// (several hubs in one process) and on a PostgreSQL server (several processes). Messages are sent
// one NOTIFY at a time, in order: a node's messages must not overtake each other, which separate
// pooled connections would allow. While one NOTIFY is under way the next messages gather into one
// batch (notifyPayloads.ts keeps each payload under PostgreSQL's 8000-byte limit).
import type { Database } from "@tessera/db";
import { BackplaneError, DEFAULT_TOPIC, type Backplane } from "./Backplane.ts";
import { batchMessages, batchPayloads, PayloadAssembler } from "./notifyPayloads.ts";

/** LISTEN channel names: an unquoted-safe identifier, so both drivers agree on its spelling. */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

interface Pending {
  message: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class PostgresBackplane implements Backplane {
  readonly kind = "postgres" as const;
  private readonly assembler = new PayloadAssembler();
  private pending: Pending[] = [];
  private sending = false;
  private unlisten: (() => Promise<void>) | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    readonly channel: string = DEFAULT_TOPIC,
  ) {
    if (!CHANNEL.test(channel)) throw new BackplaneError(`the PostgreSQL backplane channel must match ${CHANNEL.source}, got '${channel}'`);
  }

  async start(onMessage: (message: string) => void, onError: (error: Error) => void): Promise<void> {
    this.stopped = false;
    this.unlisten = await this.db.listen(this.channel, (payload) => {
      let messages: string[];
      try {
        messages = this.assembler.accept(payload, Date.now());
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      for (const message of messages) onMessage(message);
    });
  }

  publish(message: string): Promise<void> {
    if (this.stopped) return Promise.reject(new BackplaneError("the PostgreSQL backplane was stopped"));
    return new Promise((resolve, reject) => {
      this.pending.push({ message, resolve, reject });
      if (!this.sending) void this.send();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        const taken = this.pending;
        this.pending = [];
        let offset = 0;
        for (const batch of batchMessages(taken.map((p) => p.message))) {
          const waiting = taken.slice(offset, offset + batch.length);
          offset += batch.length;
          try {
            for (const payload of batchPayloads(batch)) await this.db.notify(this.channel, payload);
            for (const p of waiting) p.resolve();
          } catch (error) {
            const failure = new BackplaneError(`NOTIFY on '${this.channel}' failed: ${(error as Error).message}`, { cause: error });
            for (const p of waiting) p.reject(failure);
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
