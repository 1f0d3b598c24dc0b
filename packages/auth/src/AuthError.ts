// The one error type of the auth layer. `code` matches the GraphQL error codes (UNAUTHENTICATED,
// FORBIDDEN); `message` tells a person what to do about it and never echoes a secret.

export type AuthErrorCode = "UNAUTHENTICATED" | "FORBIDDEN";

/** Why a credential was rejected, for logs and tests; not shown to clients beyond `message`. */
export type AuthFailure =
  | "missing"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "bad_algorithm"
  | "unknown_key"
  | "revoked"
  | "invalid"
  | "no_tenant"
  | "no_roles"
  | "unknown_user"
  | "not_provisioned"
  | "unknown_organisation"
  | "not_member"
  | "wrong_tenant"
  | "csrf";

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly statusCode: 401 | 403;
  readonly reason: AuthFailure;

  constructor(code: AuthErrorCode, reason: AuthFailure, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
    this.statusCode = code === "UNAUTHENTICATED" ? 401 : 403;
    this.reason = reason;
  }
}

export const unauthenticated = (reason: AuthFailure, message: string): AuthError => new AuthError("UNAUTHENTICATED", reason, message);
export const forbidden = (reason: AuthFailure, message: string): AuthError => new AuthError("FORBIDDEN", reason, message);

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
