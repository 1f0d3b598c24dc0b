// Rate limiting per client IP (every request), per principal (once authenticated; writes charge a
// point per record) and of failed credentials (per IP and per API key prefix), with
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
  /** Requests refused with 401 that carried a credential; past either budget, credentials are refused with 429 unchecked. */
  failedCredentials?: FailedCredentialOptions;
}

export interface FailedCredentialOptions {
  /** Failed credentials per `durationSeconds` per IP. */
  perIp: number;
  /** Failed attempts per `durationSeconds` against one API key prefix (`tsk_<prefix>_…`), from any IP. */
  perKeyPrefix: number;
  durationSeconds: number;
}

export const DEFAULT_FAILED_CREDENTIALS: FailedCredentialOptions = { perIp: 30, perKeyPrefix: 100, durationSeconds: 300 };
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perIp: 600, perPrincipal: 300, durationSeconds: 60, failedCredentials: DEFAULT_FAILED_CREDENTIALS };

/** Routes operators and orchestrators poll; never limited. */
const EXEMPT = new Set(["/healthz", "/readyz", "/metrics"]);
/**
 * Only the API is limited: the admin UI's static files (a dozen per page load, served from memory)
 * would otherwise spend a browser's whole per-IP budget before its first query.
 */
const LIMITED_PREFIXES = ["/graphql", "/api/", "/auth/", "/realtime/", "/.well-known/"];
const isLimited = (path: string): boolean => !EXEMPT.has(path) && LIMITED_PREFIXES.some((prefix) => path.startsWith(prefix));

/**
 * The path as the router served it: fastify decodes percent-escapes before matching (`/%67raphql`
 * is `/graphql`), so the raw URL must not decide what is limited. Unmatched or wildcard routes are
 * judged by the decoded path; one that does not decode is limited.
 */
function servedPath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route && !route.includes("*")) return route;
  const raw = request.url.split("?")[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return "/api/";
  }
}

const API_KEY_PREFIX = /^tsk_([0-9a-f]{12})_/;

/** The credential a request carries, for counting its failures: present or not, and an API key's prefix. */
function credentialOf(request: FastifyRequest): { present: boolean; keyPrefix: string | null } {
  const header = (name: string): string => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value.join(",") : (value ?? "")).trim();
  };
  const authorization = header("authorization");
  const apiKey = header("x-api-key");
  if (!authorization && !apiKey) return { present: false, keyPrefix: null };
  const key = apiKey || authorization.replace(/^Bearer\s+/i, "");
  return { present: true, keyPrefix: API_KEY_PREFIX.exec(key)?.[1] ?? null };
}

export class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = "RATE_LIMITED";
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: retry after ${retryAfterSeconds} s`);
  }
}

export interface RateLimiter {
  /** Counts `points` (default one request) of the principal; throws RateLimitedError past the limit. */
  consumePrincipal(sub: string, points?: number): Promise<void>;
}

export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions, metrics: Metrics): RateLimiter {
  const byIp = new RateLimiterMemory({ points: options.perIp, duration: options.durationSeconds, keyPrefix: "ip" });
  const byPrincipal = new RateLimiterMemory({ points: options.perPrincipal, duration: options.durationSeconds, keyPrefix: "principal" });

  const failed = options.failedCredentials ?? DEFAULT_FAILED_CREDENTIALS;
  const failedByIp = new RateLimiterMemory({ points: failed.perIp, duration: failed.durationSeconds, keyPrefix: "failed-ip" });
  const failedByKey = new RateLimiterMemory({ points: failed.perKeyPrefix, duration: failed.durationSeconds, keyPrefix: "failed-key" });
  /** Milliseconds until a spent failure budget refills, or 0 when there is budget left. */
  const blockedFor = async (limiter: RateLimiterMemory, key: string, points: number): Promise<number> => {
    const state = await limiter.get(key);
    return state && state.consumedPoints >= points ? state.msBeforeNext : 0;
  };

  app.addHook("onRequest", async (request, reply) => {
    if (isLimited(servedPath(request))) {
      try {
        await byIp.consume(request.ip);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        metrics.rateLimited.inc({ scope: "ip" });
        return sendRateLimited(request, reply, new RateLimitedError(Math.ceil(error.msBeforeNext / 1000)));
      }
    }
    // On every path, the exempt ones (/metrics and its token) included. Guessing stops at the budget: credentials are then refused unchecked, so a guess learns nothing.
    const credential = credentialOf(request);
    if (!credential.present) return;
    const ipWait = await blockedFor(failedByIp, request.ip, failed.perIp);
    const keyWait = credential.keyPrefix ? await blockedFor(failedByKey, credential.keyPrefix, failed.perKeyPrefix) : 0;
    if (ipWait > 0 || keyWait > 0) {
      metrics.rateLimited.inc({ scope: ipWait > 0 ? "failed_credentials_ip" : "failed_credentials_key" });
      return sendRateLimited(request, reply, new RateLimitedError(Math.ceil(Math.max(ipWait, keyWait) / 1000)));
    }
  });

  // A 401 to a request that carried a credential is a failed attempt (wrong, revoked, expired, forged).
  app.addHook("onResponse", async (request, reply) => {
    if (reply.statusCode !== 401) return;
    const credential = credentialOf(request);
    if (!credential.present) return;
    await failedByIp.penalty(request.ip);
    if (credential.keyPrefix) await failedByKey.penalty(credential.keyPrefix);
  });

  return {
    async consumePrincipal(sub: string, points = 1): Promise<void> {
      if (points <= 0) return;
      try {
        await byPrincipal.consume(sub, points);
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
  if (servedPath(request).startsWith("/graphql")) {
    return reply.send({ errors: [{ message: error.message, extensions: { code: "RATE_LIMITED", retryAfterSeconds: error.retryAfterSeconds } }] });
  }
  return reply.send({ error: { code: "RATE_LIMITED", message: error.message, retryAfterSeconds: error.retryAfterSeconds } });
}
