export { AuthError, isAuthError, unauthenticated, forbidden, type AuthErrorCode, type AuthFailure } from "./AuthError.ts";
export { toRequestContext, normaliseRoles, type Principal, type PrincipalKind, type ContextOptions } from "./Principal.ts";
export {
  principalFromClaims,
  TESSERA_CLAIMS,
  ZITADEL_CLAIMS,
  ZITADEL_ROLES_CLAIM,
  ZITADEL_PROJECT_ROLES_CLAIM,
  ZITADEL_ORG_CLAIM,
  type ClaimMapping,
  type ClaimPath,
} from "./claimMapping.ts";
export { createJwtVerifier, toAuthError, DEFAULT_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SECONDS, type JwtVerifier, type JwtVerifierOptions } from "./verifyJwt.ts";
export { DevIssuer, isDevIssuerEnabled, DEV_ISSUER, DEV_AUDIENCE, DEV_ISSUER_FILE, type DevTokenInput } from "./devIssuer.ts";
export { jwksRoute, JWKS_PATH } from "./jwksRoute.ts";
export { createTokenVerifier, type IssuerConfig, type TokenVerifierSetup } from "./tokenVerifier.ts";
export { readCredential, type Credential } from "./credentials.ts";
export { principalFromApiKey, verifyApiKey } from "./apiKeyAuth.ts";
export {
  cachedMembershipCheck,
  engineMembershipCheck,
  type CachedMembershipCheck,
  type MembershipCacheOptions,
  type MembershipCheck,
  type MembershipInfo,
  type EngineMembershipOptions,
} from "./membership.ts";
export {
  createRequestAuthenticator,
  ROLE_SOURCES,
  TENANT_HEADER,
  type RoleSource,
  type CredentialSource,
  type RequestAuthOptions,
  type RequestAuthenticator,
} from "./requestContext.ts";
export { platformIdentity, type PlatformIdentity, type ProvisioningOptions } from "./platformIdentity.ts";
export { oidcLoginPlugin, safeReturnTo, LOGIN_COOKIE, type OidcLoginOptions } from "./oidcLogin.ts";
export { fetchDiscovery, type OidcMetadata } from "./discovery.ts";
export { devSignInPlugin, DEV_SIGN_IN_PATH, type DevSignInOptions, type DevUser } from "./devSignIn.ts";
export { sendApiError, type ApiErrorBody } from "./restErrors.ts";
export {
  browserSessionRoutes,
  clearSessionCookies,
  CSRF_HEADER,
  isAllowedOrigin,
  secondsUntilExpiry,
  SECURE_SESSION_COOKIE,
  SESSION_COOKIE,
  sessionCookie,
  sessionTokenOfRequest,
  sessionTokenOfUpgrade,
  type BrowserSessionRoutesOptions,
  type SessionCookieOptions,
  type SessionOrigins,
} from "./browserSession.ts";
