// Rate limiting per client IP (every request) and per principal (once authenticated), with
// rate-limiter-flexible. Refusals answer 429 with Retry-After; on /graphql the body is a GraphQL
// error with code RATE_LIMITED so clients handle it like any other API error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Metrics } from "./metrics.ts";

export interface RateLimitOptions {
  /** Requests per `durationSeconds` per IP. */
  perIp: number;
  /** Requests per `durationSeconds` per principal. */
  perPrincipal: number;
  durationSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perIp: 600, perPrincipal: 300, durationSeconds: 60 };

/** Routes operators and orchestrators poll; never limited. */
const EXEMPT = new Set(["/healthz", "/readyz", "/metrics"]);
/**
 * Only the API is limited: the admin UI's static files (a dozen per page load, served from memory)
 * would otherwise spend a browser's whole per-IP budget before its first query.
 */
const LIMITED_PREFIXES = ["/graphql", "/api/", "/auth/", "/realtime/", "/.well-known/"];
const isLimited = (path: string): boolean => !EXEMPT.has(path) && LIMITED_PREFIXES.some((prefix) => path.startsWith(prefix));

export class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = "RATE_LIMITED";
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: retry after ${retryAfterSeconds} s`);
  }
}

export interface RateLimiter {
  /** Counts one request of the principal; throws RateLimitedError past the limit. */
  consumePrincipal(sub: string): Promise<void>;
}

export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions, metrics: Metrics): RateLimiter {
  const byIp = new RateLimiterMemory({ points: options.perIp, duration: options.durationSeconds, keyPrefix: "ip" });
  const byPrincipal = new RateLimiterMemory({ points: options.perPrincipal, duration: options.durationSeconds, keyPrefix: "principal" });

  app.addHook("onRequest", async (request, reply) => {
    if (!isLimited(request.url.split("?")[0])) return;
    try {
      await byIp.consume(request.ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      metrics.rateLimited.inc({ scope: "ip" });
      return sendRateLimited(request, reply, new RateLimitedError(Math.ceil(error.msBeforeNext / 1000)));
    }
  });

  return {
    async consumePrincipal(sub: string): Promise<void> {
      try {
        await byPrincipal.consume(sub);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        metrics.rateLimited.inc({ scope: "principal" });
        throw new RateLimitedError(Math.ceil(error.msBeforeNext / 1000));
      }
    },
  };
}

export function sendRateLimited(request: FastifyRequest, reply: FastifyReply, error: RateLimitedError): FastifyReply {
  reply.code(429).header("retry-after", String(Math.max(1, error.retryAfterSeconds)));
  if (request.url.startsWith("/graphql")) {
    return reply.send({ errors: [{ message: error.message, extensions: { code: "RATE_LIMITED", retryAfterSeconds: error.retryAfterSeconds } }] });
  }
  return reply.send({ error: { code: "RATE_LIMITED", message: error.message, retryAfterSeconds: error.retryAfterSeconds } });
}
