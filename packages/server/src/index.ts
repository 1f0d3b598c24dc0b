export { createServer, DEFAULT_BODY_LIMIT, type ServerOptions, type ServerServices } from "./createServer.ts";
export { registerMetrics, type Metrics } from "./plugins/metrics.ts";
export { DEFAULT_RATE_LIMIT, RateLimitedError, sendRateLimited, type RateLimiter, type RateLimitOptions } from "./plugins/rateLimit.ts";
export { createApiServer, type ApiServer, type ApiServerOptions, type OidcClientConfig } from "./createApiServer.ts";
