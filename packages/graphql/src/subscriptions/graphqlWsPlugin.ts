// GraphQL subscriptions over WebSocket (graphql-ws protocol, `graphql-transport-ws`) at
// `/graphql/ws` on the fastify server: a `ws` WebSocketServer (noServer) takes the HTTP server's
// upgrades for that path. The credential travels in `connection_init` (browsers cannot set
// headers on a WebSocket); `authenticate` turns it into the connection's RequestContext, or the
// socket is closed: 4401 Unauthorized (missing or bad credential), 4403 Forbidden (e.g. a tenant the
// principal is not a member of), 4400 Bad request (a payload it does not understand).
//
// Only subscription operations run here (queries and mutations: POST /graphql, with its rate
// limits). Operations are validated like HTTP ones: depth and cost limits, VALIDATION_FAILED codes.
//
// Shutdown: a `preClose` hook (before fastify closes the HTTP server, which would otherwise wait
// for the upgraded sockets) ends every subscription (clients get `complete`), then closes the
// sockets with 1001 Going Away, terminating those that do not finish the close handshake in time.
import { createRequire } from "node:module";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyPluginAsync } from "fastify";
import { WebSocketServer, type WebSocket } from "ws";
import type { useServer as UseServer } from "graphql-ws/use/ws";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { EngineError, type Engine, type RequestContext } from "@tessera/engine";
import type { SchemaIR } from "@tessera/schema";
import { buildGraphQLSchema } from "../buildGraphQLSchema.ts";
import { formatGraphQLError, rootCause } from "../errors.ts";
import { GraphQLError, parse, specifiedRules, validate } from "../graphqlRuntime.ts";
import { checkCost, depthLimitRule, type QueryLimits } from "../limits.ts";
import { ChangeEventHub, DEFAULT_QUEUE_LIMIT } from "./ChangeEventHub.ts";
import type { SubscriptionContext } from "./subscriptionFields.ts";

// graphql-ws's CommonJS build, so that it uses graphql's CommonJS build like the schema (see
// graphqlRuntime.ts): its ESM build would import graphql's ESM copy, a different realm.
const { useServer } = createRequire(import.meta.url)("graphql-ws/use/ws") as { useServer: typeof UseServer };

export const GRAPHQL_WS_PATH = "/graphql/ws";

/** The `connection_init` payload as the client sent it (an empty object when it sent none). */
export type ConnectionParams = { readonly [key: string]: unknown };

export interface GraphQLSubscriptionsOptions {
  engine: Engine;
  ir: SchemaIR;
  /** A schema built earlier with buildGraphQLSchema(ir); built here when absent. */
  schema?: GraphQLSchema;
  /**
   * The connection's identity from the `connection_init` payload. Throw an error with `statusCode`
   * 401 / 403 / 400 (or an EngineError UNAUTHENTICATED / FORBIDDEN) to refuse it: the socket is
   * closed with 4401 / 4403 / 4400. Any other error closes it with 4500.
   */
  authenticate: (params: ConnectionParams) => Promise<RequestContext>;
  /**
   * When the credential of an authenticated connection stops being valid (epoch ms), e.g. the JWT's
   * `exp`; the socket is closed with 4401 then, so a subscription never outlives its token.
   */
  expiresAt?: (params: ConnectionParams) => number | undefined;
  /**
   * How often an open socket's credential is authenticated again (ms): a revoked API key or a removed
   * membership closes it with 4401 / 4403 within this time. Default 60 s.
   */
  recheckMs?: number;
  /** Default `/graphql/ws`. */
  path?: string;
  /** Names the node's event consumer `graphql-ws:<nodeId>`. Default: the process id. */
  nodeId?: string;
  limits?: QueryLimits;
  /** Events a subscription may have waiting before it is ended as too slow (RATE_LIMITED). Default 1,000. */
  queueLimit?: number;
  /** Largest WebSocket message accepted, in bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Ping interval; a client that does not answer within it is dropped. Default 12 s. */
  keepAliveMs?: number;
  /** A client must send `connection_init` within this time. Default 3 s. */
  connectionInitTimeoutMs?: number;
  /** How long shutdown waits for clients to finish the close handshake. Default 1 s. */
  closeTimeoutMs?: number;
  /** A hub created by the caller (tests read its stats); closed with the plugin. Default: one created here. */
  hub?: ChangeEventHub;
  /** Called with the number of open sockets whenever it changes (the wsConnections gauge). */
  onConnectionsChange?: (open: number) => void;
}

// 1013 is WebSocket's "Try Again Later" (graphql-ws's 4429 means "too many connection_init messages").
const CLOSE_BY_STATUS: { [status: number]: number } = { 400: 4400, 401: 4401, 403: 4403, 429: 1013 };
const REASON_BY_CLOSE: { [code: number]: string } = { 4400: "Bad request", 4401: "Unauthorized", 4403: "Forbidden", 1013: "Try again later", 4500: "Internal server error" };

function closeCodeOf(error: unknown): number {
  if (error instanceof EngineError) {
    const byCode: { [code: string]: number } = { UNAUTHENTICATED: 4401, FORBIDDEN: 4403, RATE_LIMITED: 1013, INTERNAL: 4500 };
    return byCode[error.code] ?? 4400;
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? (CLOSE_BY_STATUS[status] ?? 4500) : 4500;
}

/** A close reason: "Unauthorized: <message>", cut to the 123 bytes a close frame allows. */
function closeReason(code: number, error: unknown): string {
  const label = REASON_BY_CLOSE[code] ?? "Error";
  if (code === 4500 || !(error instanceof Error)) return label;
  let reason = `${label}: ${error.message}`;
  while (Buffer.byteLength(reason) > 123) reason = `${reason.slice(0, reason.length - 2)}…`;
  return reason;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q === -1 ? raw : raw.slice(0, q);
}

export const graphqlSubscriptionsPlugin: FastifyPluginAsync<GraphQLSubscriptionsOptions> = async (app, options) => {
  const schema = options.schema ?? buildGraphQLSchema(options.ir);
  if (!schema.getSubscriptionType()) throw new Error("the schema has no Subscription type (config.subscriptions is false)");
  const path = options.path ?? GRAPHQL_WS_PATH;
  const log = app.log;
  const hub = options.hub ?? new ChangeEventHub(options.engine, options.ir, {
    nodeId: options.nodeId,
    queueLimit: options.queueLimit ?? DEFAULT_QUEUE_LIMIT,
    onError: (error) => log.error({ err: error }, "delivering a change event failed"),
  });
  await hub.start();

  const identities = new WeakMap<WebSocket, RequestContext>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 1_048_576 });
  let open = 0;
  let closing = false;
  wss.on("connection", (socket: WebSocket) => {
    open++;
    options.onConnectionsChange?.(open);
    socket.once("close", () => {
      open--;
      options.onConnectionsChange?.(open);
    });
  });

  const server = useServer<ConnectionParams, { identity?: RequestContext }>(
    {
      schema,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        try {
          identities.set(socket, await options.authenticate(ctx.connectionParams ?? {}));
          // Closed while authenticating: its close event has passed, so timers armed now would never be cleared.
          if (socket.readyState !== socket.OPEN) return false;
          const expiresAt = options.expiresAt?.(ctx.connectionParams ?? {});
          if (expiresAt !== undefined) {
            // setTimeout holds at most ~24.8 days; longer-lived credentials are re-checked then.
            const timer = setTimeout(() => socket.close(4401, "Unauthorized: the token expired; reconnect with a new one"), Math.min(Math.max(0, expiresAt - Date.now()), 2_147_000_000));
            timer.unref();
            socket.once("close", () => clearTimeout(timer));
          }
          const params = ctx.connectionParams ?? {};
          const recheck = setInterval(() => {
            options.authenticate(params).catch((error: unknown) => {
              const code = closeCodeOf(error);
              // Only a refusal ends the socket; a failed check (database down) is retried next time.
              if (code === 4401 || code === 4403) socket.close(code, closeReason(code, error));
              else log.warn({ err: error }, "re-checking a WebSocket connection's credential failed");
            });
          }, options.recheckMs ?? 60_000);
          recheck.unref();
          socket.once("close", () => clearInterval(recheck));
          return true;
        } catch (error) {
          const code = closeCodeOf(error);
          if (code === 4500) log.error({ err: error }, "authenticating a WebSocket connection failed");
          socket.close(code, closeReason(code, error));
          return false; // graphql-ws would close with 4403; the socket is already closing with our code
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const request = identities.get(ctx.extra.socket);
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document, [...specifiedRules, depthLimitRule(options.limits?.maxDepth)]);
        if (errors.length > 0) return errors;
        const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
        const operation = payload.operationName ? operations.find((o) => o.name?.value === payload.operationName) : operations.length === 1 ? operations[0] : undefined;
        if (operation && operation.operation !== "subscription") {
          return [new GraphQLError(`only subscriptions run over ${path}; send queries and mutations to POST /graphql`, { extensions: { code: "VALIDATION_FAILED" } })];
        }
        const variables = (payload.variables ?? undefined) as { [name: string]: unknown } | undefined;
        const costErrors = checkCost(schema, document, { ir: options.ir, maxCost: options.limits?.maxCost, variables, operationName: payload.operationName });
        if (costErrors.length > 0) return costErrors;
        const contextValue: SubscriptionContext = { engine: options.engine, request, changes: hub };
        return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatGraphQLError(e, "request")),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        const errors = result.errors.map((e) => {
          const formatted = formatGraphQLError(e, "execution");
          if (formatted.extensions?.code === "INTERNAL") log.error({ err: rootCause(e) }, "GraphQL subscription failed");
          return formatted;
        });
        return { ...result, errors };
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request.url) !== path) return; // another endpoint's (e.g. /realtime/ws)
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
      // Subscriptions first, so clients are told `complete` before their socket goes away.
      await hub.close();
      await new Promise((resolve) => setImmediate(resolve));
      const sockets = [...wss.clients];
      const closed = Promise.all(sockets.map((s) => (s.readyState === s.CLOSED ? undefined : new Promise((resolve) => s.once("close", resolve)))));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, options.closeTimeoutMs ?? 1_000)));
      await server.dispose(); // closes every client with 1001 Going away
      await Promise.race([closed, timeout]);
      clearTimeout(timer);
      for (const socket of wss.clients) socket.terminate();
      await hub.release();
    })();
    return shutdown;
  };
  app.addHook("preClose", close);
  app.addHook("onClose", close);
};
