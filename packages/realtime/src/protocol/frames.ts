// The wire protocol of /realtime/ws: JSON text frames. Client frames carry `op`, server frames carry
// `type`. Shared by the server and the browser client, so nothing here imports Node. Every frame is
// documented in docs/REALTIME.md.
import type { RealtimeErrorCode } from "./RealtimeError.ts";

export const PROTOCOL_VERSION = 1;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A connection's presence on one channel, e.g. `{ viewing: true }` or `{ editing: "title" }`. */
export type PresenceState = { [key: string]: JsonValue };

/** Correlates a request with its reply; echoed on `joined`, `left`, `locked`, `ok`, `pong`, `error`. */
export type Ref = string;

// ── client → server ────────────────────────────────────────────────────────────────────────────

export interface AuthFrame {
  op: "auth";
  /** A bearer JWT or an API key. */
  token: string;
  tenantId?: string;
  ref?: Ref;
}

export interface JoinFrame {
  op: "join";
  channel: string;
  /**
   * This connection's presence state on the channel (`{}` to be present without one). Without it the
   * connection only listens (messages, locks, changes) and does not appear in presence until it
   * sends `presence`.
   */
  state?: PresenceState;
  ref?: Ref;
}

export interface LeaveFrame {
  op: "leave";
  channel: string;
  ref?: Ref;
}

export interface PublishFrame {
  op: "publish";
  channel: string;
  /** Application-defined name, e.g. `typing` or `toast`. */
  event: string;
  payload?: JsonValue;
  /** Deliver to the sender too (other connections of the same user always get it). Default false. */
  echo?: boolean;
  ref?: Ref;
}

export interface PresenceFrame {
  op: "presence";
  channel: string;
  state: PresenceState;
  ref?: Ref;
}

export interface LockFrame {
  op: "lock";
  channel: string;
  field: string;
  /** How long the lock lives unless renewed (sending `lock` again renews it). */
  ttlMs?: number;
  ref?: Ref;
}

export interface UnlockFrame {
  op: "unlock";
  channel: string;
  field: string;
  ref?: Ref;
}

export interface PingFrame {
  op: "ping";
  ref?: Ref;
}

export type ClientFrame = AuthFrame | JoinFrame | LeaveFrame | PublishFrame | PresenceFrame | LockFrame | UnlockFrame | PingFrame;
export type ClientOp = ClientFrame["op"];

// ── server → client ────────────────────────────────────────────────────────────────────────────

/** A connection as others see it: the principal (`sub`, display name) and which of its connections. */
export interface Peer {
  sub: string;
  name: string | null;
  connectionId: string;
}

export interface PresenceMeta {
  connectionId: string;
  state: PresenceState;
  /** Server clock, epoch ms. */
  joinedAt: number;
}

/** One principal on a channel, however many connections (tabs) it has there. */
export interface PresenceMember {
  sub: string;
  name: string | null;
  metas: PresenceMeta[];
}

export interface LockInfo {
  field: string;
  holder: Peer;
  /** Server clock, epoch ms. */
  expiresAt: number;
  /** Milliseconds left when the frame was sent (independent of clock skew). */
  ttlMs: number;
}

export interface WelcomeServerFrame {
  type: "welcome";
  protocol: number;
  connectionId: string;
  nodeId: string;
  tenantId: string;
  principal: { sub: string; name: string | null };
  /** Send a frame (`ping` when idle) at least this often… */
  heartbeatMs: number;
  /** …or the server closes the socket (4408) after this long without one. */
  timeoutMs: number;
}

export interface JoinedServerFrame {
  type: "joined";
  ref?: Ref;
  channel: string;
  /** Everyone on the channel now, this connection included. */
  presence: PresenceMember[];
  locks: LockInfo[];
}

export interface LeftServerFrame {
  type: "left";
  ref?: Ref;
  channel: string;
  /**
   * Set when the server removed the connection without being asked: a committed change made the
   * channel's record unreadable for it (reassigned to someone else, a row rule now hides it).
   */
  reason?: "access_revoked";
}

export interface OkServerFrame {
  type: "ok";
  ref: Ref;
}

export interface LockedServerFrame {
  type: "locked";
  ref?: Ref;
  channel: string;
  field: string;
  expiresAt: number;
  ttlMs: number;
}

export interface PongServerFrame {
  type: "pong";
  ref?: Ref;
}

export interface MessageServerFrame {
  type: "message";
  channel: string;
  event: string;
  payload: JsonValue;
  /** The sending connection; `null` for messages the server itself broadcasts. */
  from: Peer | null;
}

export interface PresenceDiffServerFrame {
  type: "presence";
  channel: string;
  /** Principals that were not on the channel before. */
  joins: PresenceMember[];
  /** Principals whose last connection left (as they were). */
  leaves: PresenceMember[];
  /** Principals still there whose connections or states changed (the member as it is now). */
  updates: PresenceMember[];
}

export type LockReason = "acquired" | "renewed" | "released" | "expired" | "disconnected";

export interface LockServerFrame {
  type: "lock";
  channel: string;
  field: string;
  /** Null once the lock is gone. */
  holder: Peer | null;
  expiresAt: number | null;
  ttlMs: number | null;
  reason: LockReason;
}

export type ChangeEventType = "Created" | "Updated" | "Deleted" | "Restored" | "Destroyed";

/** A committed change of a record the receiving principal may read (live views). */
export interface ChangeServerFrame {
  type: "change";
  channel: string;
  model: string;
  id: string;
  event: ChangeEventType;
  /** Event log position: changes of one record arrive in increasing `seq`. */
  seq: number;
  /** The record as the receiver may read it when the change was delivered; null after Destroyed. */
  record: { [field: string]: JsonValue } | null;
  /** The changed fields the receiver may read. */
  changedFields: string[];
  actor: string | null;
  at: string;
}

/** Frames were dropped because this client read too slowly; re-read what it shows. */
export interface DroppedServerFrame {
  type: "dropped";
  count: number;
}

export interface ErrorServerFrame {
  type: "error";
  ref?: Ref;
  code: RealtimeErrorCode;
  message: string;
  channel?: string;
  holder?: Peer;
  expiresAt?: number;
}

export type ServerFrame =
  | WelcomeServerFrame
  | JoinedServerFrame
  | LeftServerFrame
  | OkServerFrame
  | LockedServerFrame
  | PongServerFrame
  | MessageServerFrame
  | PresenceDiffServerFrame
  | LockServerFrame
  | ChangeServerFrame
  | DroppedServerFrame
  | ErrorServerFrame;

export type ServerFrameType = ServerFrame["type"];

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** An incoming frame was larger than the server accepts. */
  tooLarge: 1009,
  /** Rate limited while authenticating; retry later. */
  tryAgainLater: 1013,
  /** A query parameter or first frame the server does not understand. */
  badRequest: 4400,
  /** No, bad or expired credential. */
  unauthorized: 4401,
  /** The credential is valid but not for this tenant. */
  forbidden: 4403,
  /** No frame (not even `ping`) within `timeoutMs`. */
  heartbeatTimeout: 4408,
  /** Read so slowly that its queue kept overflowing. */
  tooSlow: 4429,
  internal: 4500,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
