// Deployment settings read from the environment (twelve-factor); every one is optional on the
// embedded default. Bad values are refused at start with the variable's name.
import { ROLE_SOURCES, type IssuerConfig, type ProvisioningOptions, type RoleSource } from "@tessera/auth";
import type { OidcClientConfig, RateLimitOptions } from "@tessera/server";
import { DEFAULT_FAILED_CREDENTIALS, DEFAULT_RATE_LIMIT } from "@tessera/server";
import { DEFAULT_MAX_WRITE_RECORDS } from "@tessera/graphql";
import type { RealtimeConfig } from "@tessera/realtime";

export interface ApiConfig {
  issuer: IssuerConfig | null;
  oidcClient?: OidcClientConfig;
  tenantId?: string;
  /** TESSERA_ROLE_SOURCE: `membership` (default), `token` or `both`. */
  roleSource: RoleSource;
  /** TESSERA_PROVISION_USERS (1, the default, or 0) and TESSERA_DEFAULT_ROLE. */
  provisioning: ProvisioningOptions;
  corsOrigins: string[];
  rateLimit: RateLimitOptions;
  /** TESSERA_MAX_WRITE_RECORDS: records one GraphQL request may write. */
  maxWriteRecords: number;
  /** TESSERA_METRICS_TOKEN: bearer token for /metrics and /realtime/health; unset leaves them open. */
  metricsToken?: string;
  logLevel: string;
  realtime: RealtimeConfig;
}

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive whole number, got '${raw}'`);
  return value;
}

const BACKPLANES = ["memory", "postgres", "redis", "nats"];
const PG_CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** REALTIME_BACKPLANE=memory|postgres|redis|nats (+ REDIS_URL / NATS_URL), REALTIME_TOPIC. */
function realtimeFromEnv(env: NodeJS.ProcessEnv): RealtimeConfig {
  const kind = env.REALTIME_BACKPLANE || "memory";
  if (!BACKPLANES.includes(kind)) throw new ConfigError(`REALTIME_BACKPLANE must be one of ${BACKPLANES.join(", ")}, got '${kind}'`);
  const topic = env.REALTIME_TOPIC || undefined;
  if (topic !== undefined && kind === "memory") throw new ConfigError("REALTIME_TOPIC needs REALTIME_BACKPLANE=postgres, redis or nats");
  if (topic !== undefined && kind === "postgres" && !PG_CHANNEL.test(topic)) {
    throw new ConfigError(`REALTIME_TOPIC must be a lower-case identifier (${PG_CHANNEL.source}) with REALTIME_BACKPLANE=postgres, got '${topic}'`);
  }
  const url = (name: "REDIS_URL" | "NATS_URL"): string => {
    const value = env[name];
    if (!value) throw new ConfigError(`${name} is required with REALTIME_BACKPLANE=${kind}`);
    return value;
  };
  switch (kind) {
    case "postgres":
      return { backplane: { kind, ...(topic ? { channel: topic } : {}) } };
    case "redis":
      return { backplane: { kind, url: url("REDIS_URL"), ...(topic ? { channel: topic } : {}) } };
    case "nats":
      return { backplane: { kind, url: url("NATS_URL"), ...(topic ? { subject: topic } : {}) } };
    default:
      return { backplane: { kind: "memory" } };
  }
}

/** Whether `start` offers the admin UI's dev sign-in, and why, for the startup log. */
export interface DevSignInSetting {
  enabled: boolean;
  reason: string;
}

/**
 * The dev sign-in hands a token for any member to whoever opens the page. On the embedded database
 * that is the developer's own data; on a PostgreSQL server (DATABASE_URL) the data may be shared or
 * real, so there it is off unless TESSERA_DEV_SIGNIN=1 asks for it. TESSERA_DEV_SIGNIN=0 turns it off
 * anywhere. Production and a configured identity provider turn it off whatever this says.
 */
export function devSignInFromEnv(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): DevSignInSetting {
  const raw = env.TESSERA_DEV_SIGNIN ?? "";
  if (raw === "1") return { enabled: true, reason: "TESSERA_DEV_SIGNIN=1" };
  if (raw === "0") return { enabled: false, reason: "TESSERA_DEV_SIGNIN=0" };
  if (raw !== "") throw new ConfigError(`TESSERA_DEV_SIGNIN must be 1 (on) or 0 (off), got '${raw}'`);
  return databaseUrl
    ? { enabled: false, reason: "off on a PostgreSQL server (DATABASE_URL); set TESSERA_DEV_SIGNIN=1 to turn it on" }
    : { enabled: true, reason: "on for the embedded database; TESSERA_DEV_SIGNIN=0 turns it off" };
}

/** Roles from the tenant's memberships unless the operator trusts the identity provider's claims. */
function roleSourceFromEnv(env: NodeJS.ProcessEnv): RoleSource {
  const raw = env.TESSERA_ROLE_SOURCE || "membership";
  if (!(ROLE_SOURCES as readonly string[]).includes(raw)) throw new ConfigError(`TESSERA_ROLE_SOURCE must be one of ${ROLE_SOURCES.join(", ")}, got '${raw}'`);
  return raw as RoleSource;
}

/** A bearer token (RFC 6750 token68 characters), long enough not to be guessed within the failed-credential limit. */
function metricsTokenFromEnv(token: string): string {
  if (!/^[A-Za-z0-9._~+/-]{32,}=*$/.test(token)) throw new ConfigError("TESSERA_METRICS_TOKEN must be at least 32 characters of A-Z a-z 0-9 . _ ~ + / - (e.g. openssl rand -hex 32)");
  return token;
}

/** Users created on their first sign-in unless TESSERA_PROVISION_USERS=0; a first membership's role. */
function provisioningFromEnv(env: NodeJS.ProcessEnv): ProvisioningOptions {
  const raw = env.TESSERA_PROVISION_USERS ?? "";
  if (raw !== "" && raw !== "1" && raw !== "0") throw new ConfigError(`TESSERA_PROVISION_USERS must be 1 (on) or 0 (off), got '${raw}'`);
  const role = env.TESSERA_DEFAULT_ROLE?.trim();
  return { enabled: raw !== "0", ...(role ? { defaultRole: role } : {}) };
}

export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const issuerUrl = env.OIDC_ISSUER;
  let issuer: IssuerConfig | null = null;
  if (issuerUrl) {
    if (!env.OIDC_AUDIENCE) throw new ConfigError("OIDC_AUDIENCE is required with OIDC_ISSUER");
    const claims = env.OIDC_CLAIMS ?? "tessera";
    if (claims !== "tessera" && claims !== "zitadel") throw new ConfigError(`OIDC_CLAIMS must be 'tessera' or 'zitadel', got '${claims}'`);
    issuer = { issuer: issuerUrl, audience: env.OIDC_AUDIENCE.split(","), claims, ...(env.OIDC_JWKS_URI ? { jwksUri: env.OIDC_JWKS_URI } : {}) };
  }
  let oidcClient: OidcClientConfig | undefined;
  if (issuer && env.OIDC_CLIENT_ID) {
    if (!env.OIDC_REDIRECT_URI) throw new ConfigError("OIDC_REDIRECT_URI is required with OIDC_CLIENT_ID");
    if (!env.SESSION_SECRET || env.SESSION_SECRET.length < 32) throw new ConfigError("SESSION_SECRET of at least 32 characters is required for browser sign-in");
    oidcClient = {
      clientId: env.OIDC_CLIENT_ID,
      redirectUri: env.OIDC_REDIRECT_URI,
      cookieSecret: env.SESSION_SECRET,
      ...(env.OIDC_CLIENT_SECRET ? { clientSecret: env.OIDC_CLIENT_SECRET } : {}),
    };
  }
  return {
    issuer,
    oidcClient,
    tenantId: env.TENANT_ID || undefined,
    roleSource: roleSourceFromEnv(env),
    provisioning: provisioningFromEnv(env),
    corsOrigins: (env.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    rateLimit: {
      perIp: positiveInt(env, "RATE_LIMIT_PER_IP", DEFAULT_RATE_LIMIT.perIp),
      perPrincipal: positiveInt(env, "RATE_LIMIT_PER_PRINCIPAL", DEFAULT_RATE_LIMIT.perPrincipal),
      durationSeconds: positiveInt(env, "RATE_LIMIT_WINDOW_SECONDS", DEFAULT_RATE_LIMIT.durationSeconds),
      failedCredentials: {
        perIp: positiveInt(env, "RATE_LIMIT_FAILED_AUTH_PER_IP", DEFAULT_FAILED_CREDENTIALS.perIp),
        perKeyPrefix: positiveInt(env, "RATE_LIMIT_FAILED_AUTH_PER_KEY", DEFAULT_FAILED_CREDENTIALS.perKeyPrefix),
        durationSeconds: positiveInt(env, "RATE_LIMIT_FAILED_AUTH_WINDOW_SECONDS", DEFAULT_FAILED_CREDENTIALS.durationSeconds),
      },
    },
    maxWriteRecords: positiveInt(env, "TESSERA_MAX_WRITE_RECORDS", DEFAULT_MAX_WRITE_RECORDS),
    ...(env.TESSERA_METRICS_TOKEN ? { metricsToken: metricsTokenFromEnv(env.TESSERA_METRICS_TOKEN) } : {}),
    logLevel: env.LOG_LEVEL ?? "info",
    realtime: realtimeFromEnv(env),
  };
}
