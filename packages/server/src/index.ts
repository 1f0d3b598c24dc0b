export { createServer, DEFAULT_BODY_LIMIT, type ServerOptions, type ServerServices } from "./createServer.ts";
export { registerMetrics, OPERATIONAL_PATHS, type Metrics, type MetricsOptions } from "./plugins/metrics.ts";
export { DEFAULT_FAILED_CREDENTIALS, DEFAULT_RATE_LIMIT, RateLimitedError, sendRateLimited, type FailedCredentialOptions, type RateLimiter, type RateLimitOptions } from "./plugins/rateLimit.ts";
export { createApiServer, type ApiServer, type ApiServerOptions, type OidcClientConfig } from "./createApiServer.ts";
