// Which issuer a deployment trusts: the configured one (OIDC), or the local dev issuer when none
// is configured outside production. Production without an issuer refuses to start.
import { TESSERA_CLAIMS, ZITADEL_CLAIMS, type ClaimMapping } from "./claimMapping.ts";
import { DevIssuer, isDevIssuerEnabled } from "./devIssuer.ts";
import { fetchDiscovery } from "./discovery.ts";
import type { Principal } from "./Principal.ts";
import { createJwtVerifier } from "./verifyJwt.ts";

export interface IssuerConfig {
  issuer: string;
  audience: string | readonly string[];
  /** Default: the `jwks_uri` of the issuer's discovery document. */
  jwksUri?: string;
  /** A mapping, or the name of a built-in one; default `tessera`. */
  claims?: ClaimMapping | "zitadel" | "tessera";
  algorithms?: readonly string[];
  clockToleranceSeconds?: number;
}

export interface TokenVerifierSetup {
  verify: (token: string) => Promise<Principal>;
  /** Set when the dev issuer is the one trusted (serve its JWKS, issue dev tokens). */
  devIssuer: DevIssuer | null;
  issuer: string;
}

export async function createTokenVerifier(options: { issuer?: IssuerConfig | null; dataDir: string; nodeEnv?: string }): Promise<TokenVerifierSetup> {
  const config = options.issuer ?? null;
  if (config === null || config.issuer.trim() === "") {
    if (!isDevIssuerEnabled({ issuer: null, nodeEnv: options.nodeEnv })) {
      throw new Error("no identity provider is configured: set the OIDC issuer and audience (the local dev issuer is off when NODE_ENV=production)");
    }
    const devIssuer = await DevIssuer.open(options.dataDir);
    const verifier = devIssuer.verifier();
    return { verify: (token) => verifier.verify(token), devIssuer, issuer: devIssuer.issuer };
  }
  const jwksUri = config.jwksUri ?? (await fetchDiscovery(config.issuer)).jwks_uri;
  const claims = config.claims === "zitadel" ? ZITADEL_CLAIMS : config.claims === "tessera" || config.claims === undefined ? TESSERA_CLAIMS : config.claims;
  const verifier = createJwtVerifier({
    issuer: config.issuer,
    audience: config.audience,
    jwks: new URL(jwksUri),
    claims,
    ...(config.algorithms ? { algorithms: config.algorithms } : {}),
    ...(config.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: config.clockToleranceSeconds } : {}),
  });
  return { verify: (token) => verifier.verify(token), devIssuer: null, issuer: config.issuer };
}
