// The browser client of /realtime/ws (also runs in Node with `ws`'s WebSocket passed in). Uses only
// the standard WebSocket API: no Node imports. It authenticates with an `auth` frame (the token
// stays out of URLs), keeps the connection alive with pings, reconnects with exponential backoff
// and jitter, joins its channels again (with their presence state) after a reconnect, and keeps a
// local copy of each joined channel's presence and locks from the snapshots and diffs it receives.
import { RealtimeError } from "../protocol/RealtimeError.ts";
import type {
  ChangeServerFrame,
  ClientFrame,
  DroppedServerFrame,
  JsonValue,
  LockInfo,
  LockServerFrame,
  MessageServerFrame,
  PresenceMember,
  PresenceState,
  ServerFrame,
  ServerFrameType,
  WelcomeServerFrame,
} from "../protocol/frames.ts";

/** The standard WebSocket constructor: the browser's global, or the `ws` package's class in Node. */
export type WebSocketConstructor = new (url: string) => object;

/** The part of the standard WebSocket API the client uses. */
interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;

export interface ReconnectOptions {
  /** First delay; doubled (by `factor`) per failed attempt up to `maxDelayMs`. Default 500 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** ± this fraction of randomness, so clients do not reconnect in step. Default 0.2. */
  jitter?: number;
}

export interface RealtimeClientOptions {
  /** `wss://host/realtime/ws`. */
  url: string;
  /**
   * A token, or a function giving a fresh one on every (re)connect. Omit it in a browser signed in
   * by the server's session cookie: the upgrade request carries the cookie, so no `auth` frame is sent.
   */
  token?: string | (() => string | Promise<string>);
  tenantId?: string;
  /** Default: the global WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** `false` turns reconnecting off. */
  reconnect?: ReconnectOptions | false;
  /** How long a request waits for its answer. Default 10 s. */
  requestTimeoutMs?: number;
}

export type ConnectionStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** A channel's presence after a snapshot or diff: `members` is everyone now. */
export interface PresenceEvent {
  channel: string;
  members: PresenceMember[];
  joins: PresenceMember[];
  leaves: PresenceMember[];
  updates: PresenceMember[];
}

export interface CloseEvent {
  code: number;
  reason: string;
  willReconnect: boolean;
}

export interface RealtimeClientEvents {
  status: ConnectionStatus;
  welcome: WelcomeServerFrame;
  message: MessageServerFrame;
  presence: PresenceEvent;
  lock: LockServerFrame;
  change: ChangeServerFrame;
  dropped: DroppedServerFrame;
  /** The server removed this client from a channel whose record it may no longer read. */
  revoked: { channel: string };
  /** Errors no request was waiting for (e.g. a channel that could not be joined again after a reconnect). */
  error: RealtimeError;
  close: CloseEvent;
}

export interface JoinResult {
  presence: PresenceMember[];
  locks: LockInfo[];
}

export interface LockGrant {
  expiresAt: number;
  ttlMs: number;
}

type Listener<K extends keyof RealtimeClientEvents> = (value: RealtimeClientEvents[K]) => void;

interface PendingRequest {
  expect: ServerFrameType;
  resolve: (frame: ServerFrame) => void;
  reject: (error: RealtimeError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Close codes after which reconnecting cannot help. */
const FATAL = new Set([4400, 4403]);

export class RealtimeClient {
  private socket: WebSocketLike | undefined;
  private statusValue: ConnectionStatus = "idle";
  private welcomeFrame: WelcomeServerFrame | undefined;
  private readonly listeners = new Map<keyof RealtimeClientEvents, Set<(value: never) => void>>();
  private readonly pending = new Map<string, PendingRequest>();
  /** Channels this client wants to be on, with its presence state there (null: listening only). */
  private readonly wanted = new Map<string, PresenceState | null>();
  private readonly presenceByChannel = new Map<string, Map<string, PresenceMember>>();
  private readonly locksByChannel = new Map<string, Map<string, LockInfo>>();
  private openWaiters: { resolve: () => void; reject: (error: RealtimeError) => void }[] = [];
  private refs = 0;
  private attempt = 0;
  private lastReceived = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = false;

  constructor(private readonly options: RealtimeClientOptions) {}

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** The server's greeting of the current connection. */
  get welcome(): WelcomeServerFrame | undefined {
    return this.welcomeFrame;
  }

  /** Connects (once); resolves when the server has greeted the connection. */
  connect(): Promise<WelcomeServerFrame> {
    this.closedByUser = false;
    if (this.statusValue === "idle" || this.statusValue === "closed") {
      this.attempt = 0;
      void this.open();
    }
    return this.whenOpen().then(() => this.welcomeFrame!);
  }

  /** Closes for good: no reconnect; pending requests fail with DISCONNECTED. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.retry);
    const socket = this.socket;
    if (socket) {
      this.detach(socket);
      socket.close(1000, "client closed");
    }
    this.onClosed(1000, "client closed");
  }

  on<K extends keyof RealtimeClientEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  /**
   * Joins a channel (again after every reconnect). With `state` this connection appears in the
   * channel's presence (`{}` for presence without a state); without, it only listens.
   */
  async join(channel: string, options: { state?: PresenceState } = {}): Promise<JoinResult> {
    const state = options.state ?? null;
    this.wanted.set(channel, state);
    try {
      const joined = await this.request<"joined">({ op: "join", channel, ...(state ? { state } : {}), ref: this.nextRef() }, "joined");
      return { presence: joined.presence, locks: joined.locks };
    } catch (error) {
      this.wanted.delete(channel);
      throw error;
    }
  }

  async leave(channel: string): Promise<void> {
    this.wanted.delete(channel);
    this.presenceByChannel.delete(channel);
    this.locksByChannel.delete(channel);
    await this.request<"left">({ op: "leave", channel, ref: this.nextRef() }, "left");
  }

  /** Sets this connection's presence state on a joined channel (it appears in presence if it only listened). */
  async setPresence(channel: string, state: PresenceState): Promise<void> {
    if (this.wanted.has(channel)) this.wanted.set(channel, state);
    await this.request<"ok">({ op: "presence", channel, state, ref: this.nextRef() }, "ok");
  }

  /** Sends to the channel's other members (and to this client too with `echo`). */
  async publish(channel: string, event: string, payload: JsonValue = null, options: { echo?: boolean } = {}): Promise<void> {
    await this.request<"ok">({ op: "publish", channel, event, payload, ...(options.echo ? { echo: true } : {}), ref: this.nextRef() }, "ok");
  }

  /** Acquires or renews a soft lock; rejects with CONFLICT (`error.details.holder`) when someone else holds it. */
  async lock(channel: string, field: string, options: { ttlMs?: number } = {}): Promise<LockGrant> {
    const locked = await this.request<"locked">({ op: "lock", channel, field, ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}), ref: this.nextRef() }, "locked");
    return { expiresAt: locked.expiresAt, ttlMs: locked.ttlMs };
  }

  async unlock(channel: string, field: string): Promise<void> {
    await this.request<"ok">({ op: "unlock", channel, field, ref: this.nextRef() }, "ok");
  }

  /** Round trip to the server. */
  async ping(): Promise<void> {
    await this.request<"pong">({ op: "ping", ref: this.nextRef() }, "pong");
  }

  /** Everyone on a joined channel, as last reported. */
  presence(channel: string): PresenceMember[] {
    return [...(this.presenceByChannel.get(channel)?.values() ?? [])];
  }

  /** The live locks of a joined channel, as last reported. */
  locks(channel: string): LockInfo[] {
    return [...(this.locksByChannel.get(channel)?.values() ?? [])];
  }

  // ── connection ──────────────────────────────────────────────────────────────────────────────

  private setStatus(status: ConnectionStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.emit("status", status);
  }

  private async open(): Promise<void> {
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    let token: string | undefined;
    try {
      token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    } catch (error) {
      this.emit("error", new RealtimeError("UNAUTHENTICATED", `getting a token failed: ${error instanceof Error ? error.message : String(error)}`));
      this.scheduleReconnect(4401, "no token");
      return;
    }
    if (this.closedByUser) return;
    const Impl = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) throw new RealtimeError("INTERNAL", "no WebSocket implementation: pass options.WebSocket");
    const socket = new Impl(this.options.url) as unknown as WebSocketLike;
    this.socket = socket;
    socket.onopen = () => {
      if (token === undefined) return;
      this.sendFrame({ op: "auth", token, ...(this.options.tenantId ? { tenantId: this.options.tenantId } : {}) });
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        this.emit("error", new RealtimeError("BAD_FRAME", "the server sent a frame that is not JSON"));
        return;
      }
      this.handle(frame);
    };
    socket.onclose = (event) => {
      this.detach(socket);
      this.onClosed(event.code, event.reason);
    };
    // A failed connection is followed by `close`, which decides what happens next.
    socket.onerror = () => undefined;
  }

  private detach(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    if (this.socket === socket) this.socket = undefined;
  }

  private onClosed(code: number, reason: string): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.welcomeFrame = undefined;
    for (const [ref, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(new RealtimeError("DISCONNECTED", `the connection closed (${code}${reason ? `: ${reason}` : ""}) before the server answered`));
      this.pending.delete(ref);
    }
    // What others did while we were away is unknown: the snapshots after rejoining replace it.
    this.presenceByChannel.clear();
    this.locksByChannel.clear();
    this.scheduleReconnect(code, reason);
  }

  private scheduleReconnect(code: number, reason: string): void {
    const canRetryAuth = code !== 4401 || typeof this.options.token === "function";
    const willReconnect = !this.closedByUser && this.options.reconnect !== false && !FATAL.has(code) && canRetryAuth;
    this.emit("close", { code, reason, willReconnect });
    if (!willReconnect) {
      this.setStatus("closed");
      const waiters = this.openWaiters;
      this.openWaiters = [];
      for (const w of waiters) w.reject(new RealtimeError(code === 4401 ? "UNAUTHENTICATED" : code === 4403 ? "FORBIDDEN" : "DISCONNECTED", `the connection closed (${code}${reason ? `: ${reason}` : ""})`));
      return;
    }
    this.setStatus("reconnecting");
    const settings = this.options.reconnect || {};
    const base = Math.min(settings.maxDelayMs ?? 15_000, (settings.initialDelayMs ?? 500) * (settings.factor ?? 2) ** this.attempt);
    const jitter = settings.jitter ?? 0.2;
    const delay = Math.max(0, base * (1 + jitter * (2 * Math.random() - 1)));
    this.attempt++;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), delay);
  }

  private startHeartbeat(welcome: WelcomeServerFrame): void {
    clearInterval(this.heartbeat);
    // Half the server's interval: a ping delayed by a busy tab still arrives in time.
    this.heartbeat = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (Date.now() - this.lastReceived > welcome.timeoutMs) {
        // The server (or the network) is gone without a close: do not wait for TCP to notice.
        this.detach(socket);
        socket.close(4000, "no answer from the server");
        this.onClosed(4408, "no answer from the server");
        return;
      }
      this.sendFrame({ op: "ping" });
    }, Math.max(50, Math.floor(welcome.heartbeatMs / 2)));
  }

  private whenOpen(): Promise<void> {
    if (this.statusValue === "open") return Promise.resolve();
    if (this.statusValue === "idle") return Promise.reject(new RealtimeError("DISCONNECTED", "call connect() first"));
    if (this.statusValue === "closed") return Promise.reject(new RealtimeError("DISCONNECTED", "the connection is closed"));
    return new Promise((resolve, reject) => this.openWaiters.push({ resolve, reject }));
  }

  // ── frames ──────────────────────────────────────────────────────────────────────────────────

  private handle(frame: ServerFrame): void {
    this.lastReceived = Date.now();
    switch (frame.type) {
      case "welcome":
        return this.onWelcome(frame);
      case "joined": {
        this.presenceByChannel.set(frame.channel, new Map(frame.presence.map((m) => [m.sub, m])));
        this.locksByChannel.set(frame.channel, new Map(frame.locks.map((l) => [l.field, l])));
        this.settle(frame);
        this.emit("presence", { channel: frame.channel, members: frame.presence, joins: [], leaves: [], updates: [] });
        return;
      }
      case "presence": {
        const members = this.presenceByChannel.get(frame.channel) ?? new Map<string, PresenceMember>();
        this.presenceByChannel.set(frame.channel, members);
        for (const m of frame.leaves) members.delete(m.sub);
        for (const m of [...frame.joins, ...frame.updates]) members.set(m.sub, m);
        this.emit("presence", { channel: frame.channel, members: [...members.values()], joins: frame.joins, leaves: frame.leaves, updates: frame.updates });
        return;
      }
      case "lock": {
        const locks = this.locksByChannel.get(frame.channel) ?? new Map<string, LockInfo>();
        this.locksByChannel.set(frame.channel, locks);
        if (frame.holder && frame.expiresAt !== null) locks.set(frame.field, { field: frame.field, holder: frame.holder, expiresAt: frame.expiresAt, ttlMs: frame.ttlMs ?? 0 });
        else locks.delete(frame.field);
        this.emit("lock", frame);
        return;
      }
      case "message":
        return this.emit("message", frame);
      case "change":
        return this.emit("change", frame);
      case "dropped":
        return this.emit("dropped", frame);
      case "error": {
        const error = new RealtimeError(frame.code, frame.message, {
          ...(frame.channel !== undefined ? { channel: frame.channel } : {}),
          ...(frame.holder ? { holder: frame.holder } : {}),
          ...(frame.expiresAt !== undefined ? { expiresAt: frame.expiresAt } : {}),
        });
        const request = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
        if (request && frame.ref !== undefined) {
          this.pending.delete(frame.ref);
          clearTimeout(request.timer);
          request.reject(error);
        } else {
          this.emit("error", error);
        }
        return;
      }
      case "left":
        if (frame.ref === undefined && frame.reason === "access_revoked") {
          // Removed by the server: do not join it again after a reconnect.
          this.wanted.delete(frame.channel);
          this.presenceByChannel.delete(frame.channel);
          this.locksByChannel.delete(frame.channel);
          this.emit("revoked", { channel: frame.channel });
          return;
        }
        return this.settle(frame);
      case "locked":
      case "ok":
      case "pong":
        return this.settle(frame);
    }
  }

  private onWelcome(frame: WelcomeServerFrame): void {
    this.welcomeFrame = frame;
    this.attempt = 0;
    this.startHeartbeat(frame);
    this.setStatus("open");
    // Join again what we were on; their snapshots replace the presence we cleared.
    for (const [channel, state] of this.wanted) {
      this.request<"joined">({ op: "join", channel, ...(state ? { state } : {}), ref: this.nextRef() }, "joined").catch((error: RealtimeError) => {
        if (error.code === "DISCONNECTED") return;
        this.wanted.delete(channel);
        this.emit("error", error);
      });
    }
    this.emit("welcome", frame);
    const waiters = this.openWaiters;
    this.openWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private settle(frame: ServerFrame & { ref?: string }): void {
    if (frame.ref === undefined) return;
    const request = this.pending.get(frame.ref);
    if (!request) return;
    this.pending.delete(frame.ref);
    clearTimeout(request.timer);
    if (frame.type === request.expect) request.resolve(frame);
    else request.reject(new RealtimeError("INTERNAL", `expected '${request.expect}' from the server, got '${frame.type}'`));
  }

  /** Sends a request once connected and waits for its answer; the timeout covers both. */
  private request<T extends ServerFrameType>(frame: ClientFrame & { ref: string }, expect: T): Promise<Extract<ServerFrame, { type: T }>> {
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.pending.delete(frame.ref);
        reject(new RealtimeError("TIMEOUT", `no answer to '${frame.op}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.whenOpen().then(
        () => {
          if (timedOut) return;
          this.pending.set(frame.ref, { expect, resolve: resolve as (frame: ServerFrame) => void, reject, timer });
          this.sendFrame(frame);
        },
        (error: RealtimeError) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private sendFrame(frame: ClientFrame): void {
    const socket = this.socket;
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  }

  private nextRef(): string {
    return `r${++this.refs}`;
  }

  private emit<K extends keyof RealtimeClientEvents>(event: K, value: RealtimeClientEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<K>)(value);
      } catch (error) {
        // A listener's bug must not break the connection; surface it asynchronously.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
