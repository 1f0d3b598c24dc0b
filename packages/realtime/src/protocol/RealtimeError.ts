// The one error type of the realtime protocol, shared by the server and the browser client (no Node
// imports). `code` is what an `error` frame carries; the client rejects its promises with it.
import type { Peer } from "./frames.ts";

export type RealtimeErrorCode =
  /** Not JSON, not an object, a missing or mistyped field, a key the server does not understand. */
  | "BAD_FRAME"
  /** A well-formed frame whose `op` the protocol does not have. */
  | "UNKNOWN_OP"
  /** A channel name that does not parse, of an unknown kind, or naming a model the schema lacks. */
  | "BAD_CHANNEL"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  /** Publishing, presence or locks on a channel the connection has not joined. */
  | "NOT_JOINED"
  /** A soft lock held by someone else (`holder` names them). */
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INTERNAL"
  /** Client side only: the server did not answer a request in time. */
  | "TIMEOUT"
  /** Client side only: the connection closed before the server answered. */
  | "DISCONNECTED";

export interface RealtimeErrorDetails {
  channel?: string;
  /** With CONFLICT: who holds the lock and until when (server clock, epoch ms). */
  holder?: Peer;
  expiresAt?: number;
}

export class RealtimeError extends Error {
  constructor(
    readonly code: RealtimeErrorCode,
    message: string,
    readonly details: RealtimeErrorDetails = {},
  ) {
    super(message);
    this.name = "RealtimeError";
  }
}

export function isRealtimeError(error: unknown): error is RealtimeError {
  return error instanceof RealtimeError;
}
