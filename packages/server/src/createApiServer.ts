// The whole API: core server + authentication (configured issuer or local dev issuer, API keys,
// tenancy at the edge) + GraphQL + browser login when an OIDC client is configured.
import type { FastifyInstance } from "fastify";
import type { SchemaIR } from "@tessera/schema";
import { ApiKeyStore, type Engine } from "@tessera/engine";
import {
  createRequestAuthenticator,
  createTokenVerifier,
  engineMembershipCheck,
  jwksRoute,
  oidcLoginPlugin,
  type DevIssuer,
  type IssuerConfig,
} from "@tessera/auth";
import { graphqlPlugin } from "@tessera/graphql";
import { createServer, type ServerOptions } from "./createServer.ts";

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
  nodeEnv?: string;
}

export interface ApiServer {
  app: FastifyInstance;
  /** Present on the embedded default: signs demo tokens (`tessera token`). */
  devIssuer: DevIssuer | null;
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const verifier = await createTokenVerifier({ issuer: options.issuer ?? null, dataDir: options.dataDir, nodeEnv: options.nodeEnv ?? process.env.NODE_ENV });
  const auth = createRequestAuthenticator({
    verifyToken: verifier.verify,
    apiKeys: new ApiKeyStore(options.engine.db),
    isMember: engineMembershipCheck(options.engine),
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
  });
  const app = await createServer({
    ...options,
    register: async (server, { rateLimiter }) => {
      if (verifier.devIssuer) await server.register(jwksRoute, { jwks: verifier.devIssuer.jwks });
      await server.register(graphqlPlugin, {
        engine: options.engine,
        ir: options.ir,
        resolveContext: async (request) => {
          const context = await auth.resolveOptionalContext(request);
          if (context.principal) {
            await rateLimiter.consumePrincipal(context.principal.sub);
            request.log = request.log.child({ principal: context.principal.sub, tenant: context.tenantId });
          }
          return context;
        },
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
    },
  });
  return { app, devIssuer: verifier.devIssuer };
}
