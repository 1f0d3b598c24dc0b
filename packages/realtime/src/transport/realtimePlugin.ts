// The WebSocket transport of the hub at `/realtime/ws` on the fastify server (a `ws` server in
// noServer mode takes the HTTP server's upgrades for that path, beside /graphql/ws), plus
// `/realtime/health` and the realtime instruments in /metrics.
//
// Authentication: `?token=<jwt or API key>` (and optionally `&tenantId=`) on the URL, or, better
// (URLs end up in proxy logs), an `auth` frame first. Until then only an `auth` frame is accepted:
// another operation closes the socket with 4401; a malformed frame gets an error frame and the
// socket stays open; no `auth` within `authTimeoutMs` closes it with 4401. A refused credential gets
// an error frame, then the close code (4401, 4403, 1013 rate limited, 4500). A connection never
// outlives its JWT: it is closed with 4401 at the token's `exp`.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyPluginAsync } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Engine, RequestContext } from "@tessera/engine";
import { CLOSE_CODES, type ErrorServerFrame } from "../protocol/frames.ts";
import { parseClientFrame } from "../protocol/parseClientFrame.ts";
import { RealtimeError, type RealtimeErrorCode } from "../protocol/RealtimeError.ts";
import type { ConnectionTransport, HubConnection } from "../hub/HubConnection.ts";
import type { RealtimeHub } from "../hub/RealtimeHub.ts";
import { LiveViewFanout } from "../liveViews/LiveViewFanout.ts";
import { userModelNamer, type PrincipalNamer } from "../access/principalName.ts";

export const REALTIME_WS_PATH = "/realtime/ws";
export const REALTIME_HEALTH_PATH = "/realtime/health";

/** What a client presents: from the URL's query or its `auth` frame. */
export interface RealtimeCredentials {
  token: string;
  tenantId?: string;
}

export interface RealtimePluginOptions {
  engine: Engine;
  /** Started here and stopped when the server closes. */
  hub: RealtimeHub;
  /**
   * The connection's identity. Throw an error with `code` UNAUTHENTICATED / FORBIDDEN /
   * RATE_LIMITED (or `statusCode` 401 / 403 / 429 / 400) to refuse it.
   */
  authenticate: (credentials: RealtimeCredentials) => Promise<RequestContext>;
  /**
   * Credentials the upgrade request itself carries (a browser's session cookie, after its Origin is
   * checked), used when the URL has no token; throw (code FORBIDDEN / UNAUTHENTICATED) to refuse.
   */
  upgradeCredentials?: (request: IncomingMessage) => RealtimeCredentials | null;
  /** When the credential stops being valid (epoch ms), e.g. a JWT's `exp`. */
  expiresAt?: (token: string) => number | undefined;
  /**
   * How often an open connection's credential is authenticated again (ms): a revoked API key or a
   * removed membership closes it with 4401 / 4403 within this time. Default 60 s.
   */
  recheckMs?: number;
  /** The name others see; default the `name` of the principal's User record. */
  describe?: PrincipalNamer;
  /** Committed changes to record and board channels. Default true. */
  liveViews?: boolean;
  path?: string;
  healthPath?: string;
  /** Time to send `auth` when the URL has no token. Default 5 s. */
  authTimeoutMs?: number;
  /** Largest frame accepted (bytes); larger ones close the socket with 1009. Default 64 KiB. */
  maxPayloadBytes?: number;
  /** How long a closing socket may take before it is cut. Default 1 s. */
  closeTimeoutMs?: number;
  /** The server's Prometheus registry: the realtime instruments are added to it. */
  registry?: Registry;
  onConnectionsChange?: (open: number) => void;
}

const CLOSE_BY_CODE: { [code: string]: number } = {
  UNAUTHENTICATED: CLOSE_CODES.unauthorized,
  FORBIDDEN: CLOSE_CODES.forbidden,
  RATE_LIMITED: CLOSE_CODES.tryAgainLater,
  BAD_FRAME: CLOSE_CODES.badRequest,
};
const CLOSE_BY_STATUS: { [status: number]: number } = { 400: CLOSE_CODES.badRequest, 401: CLOSE_CODES.unauthorized, 403: CLOSE_CODES.forbidden, 429: CLOSE_CODES.tryAgainLater };
const ERROR_BY_CLOSE: { [close: number]: RealtimeErrorCode } = {
  [CLOSE_CODES.badRequest]: "BAD_FRAME",
  [CLOSE_CODES.unauthorized]: "UNAUTHENTICATED",
  [CLOSE_CODES.forbidden]: "FORBIDDEN",
  [CLOSE_CODES.tryAgainLater]: "RATE_LIMITED",
  [CLOSE_CODES.internal]: "INTERNAL",
};

const DEFAULT_RECHECK_MS = 60_000;

function closeCodeOf(error: unknown): number {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === "string" && CLOSE_BY_CODE[code]) return CLOSE_BY_CODE[code];
  if (typeof statusCode === "number" && CLOSE_BY_STATUS[statusCode]) return CLOSE_BY_STATUS[statusCode];
  return CLOSE_CODES.internal;
}

/** A close reason within the 123 bytes a close frame allows. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = `${reason.slice(0, reason.length - 2)}…`;
  return reason;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q === -1 ? raw : raw.slice(0, q);
}

/** The credentials in the URL's query, if any; an unknown parameter is an error. */
function queryCredentials(url: string | undefined): RealtimeCredentials | null {
  const params = new URL(url ?? "/", "http://realtime.invalid").searchParams;
  for (const key of params.keys()) {
    if (key !== "token" && key !== "tenantId") throw new RealtimeError("BAD_FRAME", `unknown query parameter '${key.slice(0, 40)}' (use token, tenantId)`);
  }
  const token = params.get("token");
  const tenantId = params.get("tenantId");
  if (!token) {
    if (tenantId) throw new RealtimeError("BAD_FRAME", "tenantId in the query needs a token beside it (or send both in the auth frame)");
    return null;
  }
  return { token, ...(tenantId ? { tenantId } : {}) };
}

function registerInstruments(registry: Registry, hub: RealtimeHub, liveViews: LiveViewFanout | null): void {
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The hub keeps the totals; the counter shows them.
        this.reset();
        this.inc(read());
      },
    });
  };
  gauge("tessera_realtime_connections", "Open realtime connections on this node", () => hub.stats().connections);
  gauge("tessera_realtime_channels", "Channels with members on this node", () => hub.stats().channels);
  gauge("tessera_realtime_presence_entries", "Presence entries, cluster-wide, as this node knows them", () => hub.stats().presence);
  gauge("tessera_realtime_peer_nodes", "Other realtime nodes heard within the timeout", () => hub.stats().peers.length);
  counter("tessera_realtime_messages_published_total", "Messages published on this node", () => hub.stats().messages.published);
  counter("tessera_realtime_messages_delivered_total", "Frames written to this node's realtime clients", () => hub.stats().messages.delivered);
  counter("tessera_realtime_messages_dropped_total", "Frames dropped by full client queues", () => hub.stats().messages.dropped);
  counter("tessera_realtime_slow_disconnects_total", "Clients disconnected for reading too slowly", () => hub.stats().disconnects.slow);
  counter("tessera_realtime_revoked_total", "Record-channel memberships removed because a committed change made the record unreadable", () => hub.stats().revoked);
  if (liveViews) counter("tessera_realtime_change_frames_total", "Committed changes sent to live views", () => liveViews.stats().frames);
}

export const realtimePlugin: FastifyPluginAsync<RealtimePluginOptions> = async (app, options) => {
  const { hub } = options;
  const path = options.path ?? REALTIME_WS_PATH;
  const authTimeoutMs = options.authTimeoutMs ?? 5_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 1_000;
  const describe = options.describe ?? userModelNamer(options.engine);
  const liveViews =
    options.liveViews === false
      ? null
      : new LiveViewFanout(hub, options.engine, { nodeId: hub.nodeId, onError: (error, context) => app.log.error({ err: error }, context) });
  await hub.start();
  await liveViews?.start();
  if (options.registry) registerInstruments(options.registry, hub, liveViews);

  app.get(options.healthPath ?? REALTIME_HEALTH_PATH, async () => ({ status: "ok", ...hub.stats(), liveViews: liveViews?.stats() ?? null }));

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 65_536, perMessageDeflate: false });
  let open = 0;
  let closing = false;

  const closeSocket = (socket: WebSocket, code: number, reason: string): void => {
    if (socket.readyState === socket.CLOSED) return;
    if (socket.readyState === socket.CLOSING) return;
    socket.close(code, closeReason(reason));
    // A client that does not answer the close handshake (it stopped reading) is cut.
    const timer = setTimeout(() => socket.terminate(), closeTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };

  /** Error frames before the hub has the connection (its queue sends the rest). */
  const sendRaw = (socket: WebSocket, frame: ErrorServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };

  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    open++;
    options.onConnectionsChange?.(open);
    let connection: HubConnection | undefined;
    let authenticating = false;
    let pending: string[] = [];
    let expiryTimer: NodeJS.Timeout | undefined;
    let recheckTimer: NodeJS.Timeout | undefined;

    const refuse = (code: number, message: string, ref?: string): void => {
      sendRaw(socket, { type: "error", ...(ref !== undefined ? { ref } : {}), code: ERROR_BY_CLOSE[code] ?? "INTERNAL", message });
      closeSocket(socket, code, message);
    };
    const authTimer = setTimeout(() => refuse(CLOSE_CODES.unauthorized, `send an 'auth' frame within ${authTimeoutMs} ms`), authTimeoutMs);
    authTimer.unref();

    const transport: ConnectionTransport = {
      send: (frame, done) => {
        if (socket.readyState !== socket.OPEN) return done(new Error("the socket is closed"));
        socket.send(frame.buffer, { binary: false }, done);
      },
      close: (code, reason) => closeSocket(socket, code, reason),
    };

    const authenticate = async (credentials: RealtimeCredentials, ref?: string): Promise<void> => {
      authenticating = true;
      try {
        const context = await options.authenticate(credentials);
        if (!context.principal || !context.tenantId) throw new RealtimeError("UNAUTHENTICATED", "the credential names no principal or tenant");
        const name = await describe(context);
        if (socket.readyState !== socket.OPEN) return;
        clearTimeout(authTimer);
        connection = hub.connect({ tenantId: context.tenantId, sub: context.principal.sub, name, request: context }, transport);
        const expiresAt = options.expiresAt?.(credentials.token);
        if (expiresAt !== undefined) {
          // setTimeout holds at most ~24.8 days; longer-lived credentials are re-checked then.
          expiryTimer = setTimeout(() => transport.close(CLOSE_CODES.unauthorized, "Unauthorized: the token expired; reconnect with a new one"), Math.min(Math.max(0, expiresAt - Date.now()), 2_147_000_000));
          expiryTimer.unref();
        }
        recheckTimer = setInterval(() => {
          options.authenticate(credentials).catch((error: unknown) => {
            const code = closeCodeOf(error);
            // Only a refusal ends the connection; a failed check (database down) is retried next time.
            if (code === CLOSE_CODES.unauthorized || code === CLOSE_CODES.forbidden) transport.close(code, closeReason(error instanceof Error ? error.message : "the credential is no longer valid"));
            else app.log.warn({ err: error }, "re-checking a realtime connection's credential failed");
          });
        }, options.recheckMs ?? DEFAULT_RECHECK_MS);
        recheckTimer.unref();
        // Frames sent right after `auth`, before the answer.
        const queued = pending;
        pending = [];
        for (const text of queued) hub.receive(connection, text);
      } catch (error) {
        const code = closeCodeOf(error);
        if (code === CLOSE_CODES.internal) app.log.error({ err: error }, "authenticating a realtime connection failed");
        const message = code === CLOSE_CODES.internal || !(error instanceof Error) ? "authentication failed on the server" : error.message;
        refuse(code, message, ref);
      } finally {
        authenticating = false;
      }
    };

    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        const error: ErrorServerFrame = { type: "error", code: "BAD_FRAME", message: "frames are JSON text; a binary frame was refused" };
        if (connection) connection.sendFrame(error);
        else sendRaw(socket, error);
        return;
      }
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data).toString("utf8");
      if (connection) return hub.receive(connection, text);
      if (authenticating) {
        if (pending.length < 100) pending.push(text);
        else refuse(CLOSE_CODES.badRequest, "too many frames before authentication finished");
        return;
      }
      const parsed = parseClientFrame(text);
      if ("error" in parsed) {
        sendRaw(socket, { type: "error", ...(parsed.ref !== undefined ? { ref: parsed.ref } : {}), code: parsed.error.code, message: parsed.error.message });
        return;
      }
      const frame = parsed.frame;
      if (frame.op !== "auth") return refuse(CLOSE_CODES.unauthorized, `the first frame must be 'auth' (got '${frame.op}'), or put ?token= on the URL`, frame.ref);
      void authenticate({ token: frame.token, ...(frame.tenantId !== undefined ? { tenantId: frame.tenantId } : {}) }, frame.ref);
    });
    // ws reports protocol errors (e.g. a frame over maxPayload) here, then closes the socket.
    socket.on("error", () => undefined);
    socket.once("close", () => {
      open--;
      options.onConnectionsChange?.(open);
      clearTimeout(authTimer);
      clearTimeout(expiryTimer);
      clearInterval(recheckTimer);
      if (connection) hub.disconnect(connection);
    });

    let fromQuery: RealtimeCredentials | null;
    try {
      fromQuery = queryCredentials(request.url);
    } catch (error) {
      return refuse(CLOSE_CODES.badRequest, (error as Error).message);
    }
    if (fromQuery) return void authenticate(fromQuery);
    let fromUpgrade: RealtimeCredentials | null = null;
    try {
      fromUpgrade = options.upgradeCredentials?.(request) ?? null;
    } catch (error) {
      return refuse(closeCodeOf(error), error instanceof Error ? error.message : "the connection was refused");
    }
    if (fromUpgrade) void authenticate(fromUpgrade);
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request.url) !== path) return; // another endpoint's (e.g. /graphql/ws)
    if (closing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  };
  app.server.on("upgrade", onUpgrade);

  let shutdown: Promise<void> | undefined;
  const close = (): Promise<void> => {
    shutdown ??= (async () => {
      closing = true;
      app.server.off("upgrade", onUpgrade);
      // Connections first (clients get 1001, the cluster a `bye`), then the database round trip.
      await hub.stop();
      for (const socket of wss.clients) closeSocket(socket, CLOSE_CODES.goingAway, "server shutting down");
      const closed = [...wss.clients].map((s) => (s.readyState === s.CLOSED ? undefined : new Promise((resolve) => s.once("close", resolve))));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, closeTimeoutMs + 100)))]);
      clearTimeout(timer);
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      await liveViews?.stop();
    })();
    return shutdown;
  };
  app.addHook("preClose", close);
  app.addHook("onClose", close);
};
