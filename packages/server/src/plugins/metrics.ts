// Prometheus metrics at /metrics: HTTP and SQL durations, open connections, plus process defaults.
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

export function registerMetrics(app: FastifyInstance, db: Database, events?: DispatcherStats): Metrics {
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
