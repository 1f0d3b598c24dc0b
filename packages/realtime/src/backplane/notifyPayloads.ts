// PostgreSQL NOTIFY payloads are limited to 8000 bytes. Messages travel in batches (a JSON array of
// message texts) that fit under the limit; a single message too large for one payload is split into
// numbered chunks (base64 of its batch, so a chunk never cuts a UTF-8 sequence) and put together
// again by the receiver.
import { randomUUID } from "node:crypto";

/** Bytes a payload may have (PostgreSQL refuses 8000 and more); headroom for the chunk envelope. */
export const NOTIFY_PAYLOAD_LIMIT = 7_900;
const CHUNK_DATA = 7_700;
/** How long a receiver keeps the chunks of an incomplete message. */
export const CHUNK_TIMEOUT_MS = 30_000;

/** Size of a message inside a batch's JSON array. */
export function encodedSize(message: string): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/** Splits queued messages into batches whose JSON fits a payload (an oversized message alone). */
export function batchMessages(messages: readonly string[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let size = 2;
  for (const message of messages) {
    const add = encodedSize(message) + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && size + add > NOTIFY_PAYLOAD_LIMIT) {
      batches.push(batch);
      batch = [];
      size = 2;
    }
    batch.push(message);
    size += add;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The payloads that carry one batch: the batch itself, or its chunks. */
export function batchPayloads(batch: readonly string[]): string[] {
  const text = JSON.stringify(batch);
  if (Buffer.byteLength(text) <= NOTIFY_PAYLOAD_LIMIT) return [text];
  const data = Buffer.from(text, "utf8").toString("base64");
  const id = randomUUID();
  const n = Math.ceil(data.length / CHUNK_DATA);
  const payloads: string[] = [];
  for (let i = 0; i < n; i++) payloads.push(JSON.stringify({ c: id, i, n, d: data.slice(i * CHUNK_DATA, (i + 1) * CHUNK_DATA) }));
  return payloads;
}

interface Partial {
  parts: (string | undefined)[];
  received: number;
  startedAt: number;
}

/** Turns received payloads back into messages. */
export class PayloadAssembler {
  private readonly partials = new Map<string, Partial>();

  /** The messages a payload completes (none while a chunked message is incomplete). */
  accept(payload: string, now: number): string[] {
    this.expire(now);
    const value: unknown = JSON.parse(payload);
    if (Array.isArray(value)) return value.filter((m): m is string => typeof m === "string");
    const chunk = value as { c?: unknown; i?: unknown; n?: unknown; d?: unknown };
    if (typeof chunk.c !== "string" || typeof chunk.i !== "number" || typeof chunk.n !== "number" || typeof chunk.d !== "string") {
      throw new Error("a realtime NOTIFY payload is neither a batch nor a chunk");
    }
    let partial = this.partials.get(chunk.c);
    if (!partial) {
      partial = { parts: new Array<string | undefined>(chunk.n).fill(undefined), received: 0, startedAt: now };
      this.partials.set(chunk.c, partial);
    }
    if (partial.parts[chunk.i] === undefined) {
      partial.parts[chunk.i] = chunk.d;
      partial.received++;
    }
    if (partial.received < partial.parts.length) return [];
    this.partials.delete(chunk.c);
    return this.accept(Buffer.from(partial.parts.join(""), "base64").toString("utf8"), now);
  }

  /** Chunked messages still incomplete. */
  get pending(): number {
    return this.partials.size;
  }

  private expire(now: number): void {
    for (const [id, partial] of this.partials) if (now - partial.startedAt > CHUNK_TIMEOUT_MS) this.partials.delete(id);
  }
}
