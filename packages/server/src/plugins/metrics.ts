// Prometheus metrics at /metrics: HTTP and SQL durations, open connections, plus process defaults.
// With a token, /metrics and /realtime/health answer only `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "@tessera/db";
import type { DispatcherStats } from "@tessera/engine";

export interface Metrics {
  registry: Registry;
  /** Other plugins (GraphQL, realtime) register their own instruments here. */
  rateLimited: Counter<"scope">;
  wsConnections: Gauge<"endpoint">;
}

/** Operational endpoints that describe the deployment (load, connections, channels): behind the metrics token. */
export const OPERATIONAL_PATHS: readonly string[] = ["/metrics", "/realtime/health"];

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

export interface MetricsOptions {
  /** When set, OPERATIONAL_PATHS need `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export function registerMetrics(app: FastifyInstance, db: Database, events?: DispatcherStats, options: MetricsOptions = {}): Metrics {
  if (options.token) {
    // Compared as digests, in constant time: the token's length and content leak nothing. A
    // preHandler, so the failed-credential limit (an onRequest hook) refuses a guesser first.
    const expected = digest(`Bearer ${options.token}`);
    app.addHook("preHandler", async (request, reply) => {
      if (!request.routeOptions.url || !OPERATIONAL_PATHS.includes(request.routeOptions.url)) return;
      const given = request.headers.authorization;
      if (typeof given === "string" && timingSafeEqual(digest(given.trim()), expected)) return;
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="metrics"')
        .send({ error: { code: "UNAUTHENTICATED", message: `${request.routeOptions.url} needs the metrics token: send Authorization: Bearer <TESSERA_METRICS_TOKEN>.` } });
    });
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "tessera_" });
  const http = new Histogram({
    name: "tessera_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const sql = new Histogram({
    name: "tessera_sql_statement_duration_seconds",
    help: "Duration of SQL statements sent by the engine",
    labelNames: ["ok"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const connections = new Gauge({ name: "tessera_http_open_connections", help: "Open HTTP connections", registers: [registry] });
  const rateLimited = new Counter({ name: "tessera_rate_limited_total", help: "Requests refused by rate limiting", labelNames: ["scope"] as const, registers: [registry] });
  const wsConnections = new Gauge({ name: "tessera_ws_connections", help: "Open WebSocket connections", labelNames: ["endpoint"] as const, registers: [registry] });

  if (events) {
    new Gauge({
      name: "tessera_event_dispatch_lag_seconds",
      help: "Time from an event's commit to its delivery to this node's consumers (last batch)",
      registers: [registry],
      collect() {
        this.set(events.lagSeconds);
      },
    });
    new Gauge({
      name: "tessera_events_delivered",
      help: "Committed events delivered to this node's consumers",
      registers: [registry],
      collect() {
        this.set(events.delivered);
      },
    });
  }
  const stopObserving = db.observe(({ durationMs, ok }) => sql.observe({ ok: String(ok) }, durationMs / 1000));
  app.addHook("onClose", async () => stopObserving());
  app.server.on("connection", (socket) => {
    connections.inc();
    socket.once("close", () => connections.dec());
  });
  app.addHook("onResponse", async (request, reply) => {
    http.observe({ method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
  return { registry, rateLimited, wsConnections };
}
