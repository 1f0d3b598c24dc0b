// HTTP composition: request ids and JSON logs, CORS, body limits, metrics, rate limiting, health;
// the API plugins (GraphQL, auth, realtime) are registered on top through `register`.
import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import cors from "@fastify/cors";
import type { Engine } from "@tessera/engine";
import { registerMetrics, type Metrics } from "./plugins/metrics.ts";
import { DEFAULT_RATE_LIMIT, registerRateLimit, type RateLimiter, type RateLimitOptions } from "./plugins/rateLimit.ts";
import { registerSecurityHeaders } from "./plugins/securityHeaders.ts";

export interface ServerServices {
  metrics: Metrics;
  rateLimiter: RateLimiter;
}

export interface ServerOptions {
  engine: Engine;
  /** Shown by /healthz so operators can tell apps apart. */
  appName: string;
  /** pino JSON logs; `false` (tests) silences them. */
  logger?: boolean | { level: string };
  rateLimit?: RateLimitOptions;
  /** Allowed browser origins; none by default (same-origin UI needs no CORS). */
  corsOrigins?: string[];
  /** Largest request body accepted; larger ones get 413. */
  bodyLimitBytes?: number;
  /** When set, /metrics and /realtime/health need `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  register?: (app: FastifyInstance, services: ServerServices) => Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1_048_576;

declare module "fastify" {
  interface FastifyRequest {
    /** Who the request ran as, set by the auth layer; logged with the request. */
    identity: { principal: string; tenant: string | null } | null;
  }
}
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One JSON line per request, when it completes, with who it ran as (the auth layer sets
 * `request.identity`); fastify's error logging is kept as it is.
 */
class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.identity ? { principal: request.identity.principal, tenant: request.identity.tenant } : {}),
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === undefined ? false : options.logger === true ? { level: "info" } : options.logger,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // A caller's request id is kept (tracing across services) when it looks like one.
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Keep-alive sockets would otherwise hold a graceful shutdown open.
    forceCloseConnections: "idle",
    logController: new RequestLogController(),
  });
  app.decorateRequest("identity", null);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  registerSecurityHeaders(app);
  // A function, not the list: given a list, @fastify/cors still answers a refused origin with
  // Access-Control-Allow-Credentials (and the methods on preflights). A refused origin gets no CORS
  // header at all, so nothing about the server's CORS policy reads as an invitation.
  const corsOrigins = new Set(options.corsOrigins ?? []);
  await app.register(cors, {
    origin: corsOrigins.size > 0 ? (origin, callback) => callback(null, origin !== undefined && corsOrigins.has(origin)) : false,
    credentials: true,
  });

  const metrics = registerMetrics(app, options.engine.db, options.engine.events.stats, options.metricsToken ? { token: options.metricsToken } : {});
  const rateLimiter = registerRateLimit(app, options.rateLimit ?? DEFAULT_RATE_LIMIT, metrics);
  const startedAt = new Date().toISOString();

  app.get("/healthz", async () => ({ status: "ok", app: options.appName, startedAt }));

  // Ready means the database answers, not just that the process is up.
  app.get("/readyz", async (_request, reply) => {
    try {
      await options.engine.db.query("SELECT 1");
      return { status: "ready", database: options.engine.db.kind };
    } catch {
      return reply.code(503).send({ status: "unavailable", database: options.engine.db.kind });
    }
  });

  if (options.register) await options.register(app, { metrics, rateLimiter });
  return app;
}
