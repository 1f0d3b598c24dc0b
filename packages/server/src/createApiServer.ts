// The whole API: core server + authentication (configured issuer or local dev issuer, API keys,
// tenancy at the edge) + GraphQL + browser login when an OIDC client is configured.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { SchemaIR } from "@tessera/schema";
import { ApiKeyStore, type RequestContext } from "@tessera/engine";
import {
  browserSessionRoutes,
  cachedMembershipCheck,
  createRequestAuthenticator,
  createTokenVerifier,
  engineMembershipCheck,
  devSignInPlugin,
  jwksRoute,
  oidcLoginPlugin,
  sendApiError,
  sessionTokenOfUpgrade,
  type DevIssuer,
  type IssuerConfig,
  platformIdentity,
  type ProvisioningOptions,
  type RoleSource,
} from "@tessera/auth";
import { buildGraphQLSchema, connectionHeaders, DEFAULT_MAX_WRITE_RECORDS, describeApi, graphqlPlugin, graphqlSubscriptionsPlugin, GRAPHQL_WS_PATH } from "@tessera/graphql";
import { createRealtimeHub, realtimePlugin, REALTIME_WS_PATH, userModelNamer, type RealtimeConfig, type RealtimeHub } from "@tessera/realtime";
import { csvRoutes } from "@tessera/csv";
import { createServer, type ServerOptions } from "./createServer.ts";
import { adminUiPlugin } from "./plugins/adminUi.ts";
import { DEFAULT_RATE_LIMIT } from "./plugins/rateLimit.ts";

export interface OidcClientConfig {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  /** ≥32 characters; seals the short-lived login cookie. */
  cookieSecret: string;
}

export interface ApiServerOptions extends Omit<ServerOptions, "register"> {
  ir: SchemaIR;
  /** Where the dev issuer keeps its signing key. */
  dataDir: string;
  /** The trusted identity provider; none means the local dev issuer (refused in production). */
  issuer?: IssuerConfig | null;
  oidcClient?: OidcClientConfig;
  /** Single-tenant mode: every request runs in this tenant. */
  tenantId?: string;
  /** Where users' tenant and roles come from: memberships (default), the token, or both (requestContext.ts). */
  roleSource?: RoleSource;
  /** Users created on their first sign-in (default on) and the role of a first membership. */
  provisioning?: ProvisioningOptions;
  nodeEnv?: string;
  /** Names this node's event consumer for subscriptions (`graphql-ws:<nodeId>`); default the process id. */
  nodeId?: string;
  /** Realtime hub at /realtime/ws: backplane (default memory), timeouts, queue limits. */
  realtime?: RealtimeConfig;
  /**
   * How long a membership lookup is reused (ms); default 2,000, `0` looks it up on every request.
   * Membership changes committed through this node's engine (or delivered by its dispatcher once
   * `engine.start()`ed) drop the tenant's entries at once; the TTL bounds the rest.
   */
  membershipCacheTtlMs?: number;
  /**
   * How often open WebSocket connections (/graphql/ws, /realtime/ws) authenticate their credential
   * again (ms); default 60,000. A revoked API key or a removed membership closes them (4401 / 4403).
   */
  credentialRecheckMs?: number;
  /**
   * With the dev issuer on: the tenant whose members the admin UI's dev sign-in lists and signs in
   * (`/auth/dev/*`). Ignored when an identity provider is configured or in production.
   */
  devSignInTenantId?: string;
  /** The built admin UI (`apps/admin/dist`), served at `/` with history fallback. */
  adminDir?: string;
  /**
   * Most records one GraphQL request may write (root mutations, nested creates/connects, rows of an
   * updateMany/deleteMany); default 200, never above the per-principal rate limit, which every
   * record written is charged against.
   */
  maxWriteRecords?: number;
}

export interface ApiServer {
  app: FastifyInstance;
  /** Present on the embedded default: signs demo tokens (`tessera token`). */
  devIssuer: DevIssuer | null;
  /** This node's realtime hub (server-side broadcasts, stats). */
  realtime: RealtimeHub;
}

/** The `exp` (epoch ms) of a Bearer JWT; undefined for API keys and tokens without one. */
function jwtExpiry(authorization: string | string[] | undefined): number | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const token = value?.replace(/^Bearer\s+/i, "") ?? "";
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const verifier = await createTokenVerifier({ issuer: options.issuer ?? null, dataDir: options.dataDir, nodeEnv: options.nodeEnv ?? process.env.NODE_ENV });
  const membershipTtl = options.membershipCacheTtlMs ?? 2_000;
  let isMember = engineMembershipCheck(options.engine);
  let stopInvalidating = (): void => undefined;
  if (membershipTtl > 0) {
    const cached = cachedMembershipCheck(isMember, { ttlMs: membershipTtl });
    const remove = options.engine.onCommit((tenantId, model) => {
      if (model === "Membership") cached.invalidate(tenantId);
    });
    stopInvalidating = () => void remove();
    isMember = cached;
  }
  // The admin UI's session cookie is a credential beside Authorization, from this server's own origin
  // and the CORS origins only (browserSession.ts).
  const sessionOrigins = { allowedOrigins: options.corsOrigins ?? [] };
  const auth = createRequestAuthenticator({
    session: sessionOrigins,
    verifyToken: verifier.verify,
    apiKeys: new ApiKeyStore(options.engine.db),
    isMember,
    roleSource: options.roleSource ?? "membership",
    identity: platformIdentity(options.engine, options.provisioning),
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  });
  let realtime: RealtimeHub | undefined;
  const app = await createServer({
    ...options,
    register: async (server, { rateLimiter, metrics }) => {
      /** The caller of a REST route (401/403 without credentials or membership), counted against its rate limit. */
      const authenticateRest = async (request: FastifyRequest): Promise<RequestContext> => {
        const context = await auth.resolveRequestContext(request);
        await rateLimiter.consumePrincipal(context.principal!.sub);
        request.identity = { principal: context.principal!.sub, tenant: context.tenantId };
        return context;
      };
      if (verifier.devIssuer) await server.register(jwksRoute, { jwks: verifier.devIssuer.jwks });
      const signIn = verifier.devIssuer && options.devSignInTenantId ? "dev" : options.issuer && options.oidcClient ? "oidc" : "token";
      // What the admin UI's sign-in page offers: the dev user list, the identity provider, or a pasted token.
      server.get("/auth/config", async () => ({ signIn, ...(options.tenantId ? { tenantId: options.tenantId } : {}) }));
      if (verifier.devIssuer && options.devSignInTenantId) {
        await server.register(devSignInPlugin, { devIssuer: verifier.devIssuer, engine: options.engine, tenantId: options.devSignInTenantId, isMember });
      }
      await server.register(browserSessionRoutes, { authenticate: authenticateRest, describe: userModelNamer(options.engine) });
      // The API as the principal may use it: models, fields, operators, ui hints, permissions.
      server.get("/api/meta", async (request, reply) => {
        try {
          return describeApi(options.ir, await authenticateRest(request));
        } catch (error) {
          return sendApiError(error as Error, request, reply);
        }
      });
      // CSV import/export (/api/import*, /api/export/*): every route needs a principal and a tenant.
      await server.register(csvRoutes, { engine: options.engine, authenticate: authenticateRest });
      const schema = buildGraphQLSchema(options.ir);
      await server.register(graphqlPlugin, {
        engine: options.engine,
        ir: options.ir,
        schema,
        resolveContext: async (request) => {
          const context = await auth.resolveOptionalContext(request);
          if (context.principal) {
            await rateLimiter.consumePrincipal(context.principal.sub);
            request.identity = { principal: context.principal.sub, tenant: context.tenantId };
          }
          return context;
        },
        limits: { maxWriteRecords: Math.min(options.maxWriteRecords ?? DEFAULT_MAX_WRITE_RECORDS, (options.rateLimit ?? DEFAULT_RATE_LIMIT).perPrincipal) },
        // The request already paid one point; each further record written pays one more.
        chargeWrites: async (request, records) => {
          if (request.identity) await rateLimiter.consumePrincipal(request.identity.principal, records - 1);
        },
        anonymousIntrospection: (options.nodeEnv ?? process.env.NODE_ENV) !== "production",
      });
      if (schema.getSubscriptionType()) {
        // Subscriptions: the token (or API key) and tenant come in the connection_init payload and
        // go through the same authenticator as HTTP requests; a connection without one is refused.
        await server.register(graphqlSubscriptionsPlugin, {
          engine: options.engine,
          ir: options.ir,
          schema,
          ...(options.nodeId ? { nodeId: options.nodeId } : {}),
          authenticate: async (params) => {
            const context = await auth.resolveRequestContext({ headers: connectionHeaders(params), id: randomUUID() });
            if (context.principal) await rateLimiter.consumePrincipal(context.principal.sub);
            return context;
          },
          // Called only after `authenticate` verified the token, so reading its `exp` unverified is safe.
          expiresAt: (params) => jwtExpiry(connectionHeaders(params).authorization),
          ...(options.credentialRecheckMs !== undefined ? { recheckMs: options.credentialRecheckMs } : {}),
          onConnectionsChange: (open) => metrics.wsConnections.set({ endpoint: GRAPHQL_WS_PATH }, open),
        });
      }
      // Realtime: the same authenticator as graphql-ws; the token comes from `?token=`, the `auth` frame,
      // or the admin UI's session cookie on the upgrade (its Origin checked: no CSRF header is possible there).
      realtime = createRealtimeHub(options.engine, options.realtime, {
        ...(options.nodeId ? { nodeId: options.nodeId } : {}),
        onError: (error, context) => server.log.error({ err: error }, context),
      });
      await server.register(realtimePlugin, {
        engine: options.engine,
        hub: realtime,
        ...(options.realtime?.liveViews !== undefined ? { liveViews: options.realtime.liveViews } : {}),
        ...(options.credentialRecheckMs !== undefined ? { recheckMs: options.credentialRecheckMs } : {}),
        upgradeCredentials: (request) => {
          const token = sessionTokenOfUpgrade(request.headers, sessionOrigins);
          return token ? { token } : null;
        },
        authenticate: async (credentials) => {
          const context = await auth.resolveRequestContext({ headers: connectionHeaders({ ...credentials }), id: randomUUID() });
          if (context.principal) await rateLimiter.consumePrincipal(context.principal.sub);
          return context;
        },
        expiresAt: (token) => jwtExpiry(`Bearer ${token}`),
        registry: metrics.registry,
        onConnectionsChange: (open) => metrics.wsConnections.set({ endpoint: REALTIME_WS_PATH }, open),
      });
      if (options.issuer && options.oidcClient) {
        await server.register(oidcLoginPlugin, {
          issuer: options.issuer.issuer,
          clientId: options.oidcClient.clientId,
          ...(options.oidcClient.clientSecret ? { clientSecret: options.oidcClient.clientSecret } : {}),
          redirectUri: options.oidcClient.redirectUri,
          cookieSecret: options.oidcClient.cookieSecret,
          verifyAccessToken: verifier.verify,
        });
      }
      if (options.adminDir) await server.register(adminUiPlugin, { root: options.adminDir });
    },
  });
  app.addHook("onClose", async () => stopInvalidating());
  return { app, devIssuer: verifier.devIssuer, realtime: realtime! };
}
