// Verification of bearer JWTs with jose against an issuer's JWKS (remote, cached by jose) or a
// local key set. Every failure becomes an AuthError a person can act on.
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { unauthenticated, type AuthError } from "./AuthError.ts";
import { TESSERA_CLAIMS, principalFromClaims, type ClaimMapping } from "./claimMapping.ts";
import type { Principal } from "./Principal.ts";

export const DEFAULT_ALGORITHMS: readonly string[] = ["RS256", "ES256", "PS256", "EdDSA"];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtVerifierOptions {
  issuer: string;
  audience: string | readonly string[];
  /** The issuer's JWKS URL (fetched and cached), a local key set, or a jose key resolver. */
  jwks: URL | JSONWebKeySet | JWTVerifyGetKey;
  algorithms?: readonly string[];
  /** Leeway for exp/nbf/iat between clocks; default 30 s. */
  clockToleranceSeconds?: number;
  claims?: ClaimMapping;
  /**
   * Remembers verified access tokens (`verify` only), keyed by the token string, so a client sending
   * the same bearer token again skips the signature check. An entry never outlives the token's `exp`
   * (exactly, without the clock tolerance: later calls verify in full) nor `maxAgeMs` (default
   * 5 minutes, so a key the issuer withdraws stops being trusted within that time, as with jose's own
   * JWKS cache). Default on with 5,000 entries; `false` turns it off.
   */
  cache?: { maxEntries?: number; maxAgeMs?: number } | false;
}

export interface JwtVerifier {
  readonly issuer: string;
  /** Verifies the token and maps its claims to a Principal; throws AuthError (401). */
  verify(token: string | null | undefined): Promise<Principal>;
  /** Verifies the token and returns its claims; `audience`/`nonce` override what is checked (id tokens). */
  verifyClaims(token: string | null | undefined, check?: { audience?: string; nonce?: string }): Promise<JWTPayload>;
}

function keyResolver(jwks: JwtVerifierOptions["jwks"]): JWTVerifyGetKey {
  if (jwks instanceof URL) return createRemoteJWKSet(jwks);
  if (typeof jwks === "function") return jwks;
  return createLocalJWKSet(jwks);
}

/** Translates jose's errors; problems on our side (JWKS unreachable) stay plain errors (500). */
export function toAuthError(error: unknown, issuer: string): AuthError | Error {
  if (error instanceof errors.JWTExpired) return unauthenticated("expired", "The access token has expired; sign in again to get a new one.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return unauthenticated("wrong_issuer", `The access token was not issued by ${issuer}; sign in through the configured identity provider.`);
      case "aud":
        return unauthenticated("wrong_audience", "The access token is meant for another application (audience); request a token for this API.");
      case "nbf":
        return unauthenticated("not_yet_valid", "The access token is not valid yet; check the clock of the machine that issued it.");
      default:
        return unauthenticated("invalid", `The access token's "${error.claim}" claim is ${error.reason === "missing" ? "missing" : "invalid"}; request a new token.`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated("bad_signature", "The access token's signature does not verify; it was altered or signed by someone else. Sign in again.");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated("bad_algorithm", "The access token is signed with an algorithm this API does not accept.");
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated("unknown_key", "The access token is signed with a key the issuer does not publish; sign in again to get a new token.");
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return unauthenticated("malformed", "The access token is not a well-formed JWT; send `Authorization: Bearer <token>` with the token as issued.");
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new Error(`could not use the signing keys of ${issuer}: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A bounded map of verified tokens to their principal, each entry valid until its own deadline. */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (Date.now() >= entry.expiresAtMs) return undefined;
    this.entries.set(token, entry); // most recently used last
    return copyPrincipal(entry.principal);
  }

  set(token: string, principal: Principal, exp: number | undefined): void {
    if (typeof exp !== "number" || !Number.isFinite(exp)) return;
    const expiresAtMs = Math.min(exp * 1000, Date.now() + this.maxAgeMs);
    if (expiresAtMs <= Date.now()) return;
    this.entries.delete(token);
    this.entries.set(token, { principal: copyPrincipal(principal), expiresAtMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function copyPrincipal(p: Principal): Principal {
  return { ...p, roles: [...p.roles], teams: [...p.teams], permissions: [...p.permissions] };
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const getKey = keyResolver(options.jwks);
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const mapping = options.claims ?? TESSERA_CLAIMS;
  const audience = typeof options.audience === "string" ? options.audience : [...options.audience];
  const cache = options.cache === false ? undefined : new VerifiedTokenCache(options.cache?.maxEntries ?? 5_000, options.cache?.maxAgeMs ?? 5 * 60_000);

  async function verifyClaims(token: string | null | undefined, check: { audience?: string; nonce?: string } = {}): Promise<JWTPayload> {
    if (token === null || token === undefined || token.trim() === "") {
      throw unauthenticated("missing", "No access token was sent; send `Authorization: Bearer <token>`.");
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token.trim(), getKey, {
        issuer: options.issuer,
        audience: check.audience ?? audience,
        algorithms,
        clockTolerance,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw toAuthError(error, options.issuer);
    }
    if (check.nonce !== undefined && payload.nonce !== check.nonce) {
      throw unauthenticated("invalid", "The ID token does not belong to this sign-in (nonce mismatch); start the sign-in again.");
    }
    return payload;
  }

  return {
    issuer: options.issuer,
    verifyClaims,
    async verify(token) {
      const key = typeof token === "string" ? token.trim() : "";
      const cached = key === "" ? undefined : cache?.get(key);
      if (cached) return cached;
      const claims = await verifyClaims(token);
      const principal = principalFromClaims(claims, mapping);
      if (!principal) throw unauthenticated("invalid", "The access token names no subject; request a new token.");
      cache?.set(key, principal, claims.exp);
      return principal;
    },
  };
}
