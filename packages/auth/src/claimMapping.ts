// Where an issuer puts the facts Tessera needs (subject, roles, tenant, teams, permissions), and
// the mappings for the issuers we know. Claim values may be an array of strings, a string
// (space- or comma-separated), or an object whose keys are the values (ZITADEL's roles).
import type { JWTPayload } from "jose";
import { normaliseRoles, uniqueStrings, type Principal } from "./Principal.ts";

/**
 * A claim: a top-level claim name (tried first, so names with dots such as
 * `https://example.com/roles` work), else a dotted path (`realm_access.roles`). A RegExp matches
 * top-level claim names (ZITADEL's project-specific role claims).
 */
export type ClaimPath = string | RegExp;

export interface ClaimMapping {
  /** Default `sub`. */
  sub?: string;
  /** Every matching claim contributes roles. */
  roles?: readonly ClaimPath[];
  tenant?: string;
  teams?: readonly ClaimPath[];
  permissions?: readonly ClaimPath[];
  /**
   * Turns the tenant claim's value into a Tessera tenant id (a uuid), e.g. a ZITADEL
   * organisation id looked up in a table. Return null when the value names no tenant.
   */
  tenantFromClaim?: (value: string) => string | null;
}

/** Claims of Tessera's own tokens (the dev issuer); also a sensible default for other issuers. */
export const TESSERA_CLAIMS: ClaimMapping = {
  sub: "sub",
  roles: ["roles"],
  tenant: "tenant_id",
  teams: ["teams"],
  permissions: ["permissions"],
};

export const ZITADEL_ROLES_CLAIM = "urn:zitadel:iam:org:project:roles";
export const ZITADEL_PROJECT_ROLES_CLAIM = /^urn:zitadel:iam:org:project:[^:]+:roles$/;
export const ZITADEL_ORG_CLAIM = "urn:zitadel:iam:user:resourceowner:id";

/** ZITADEL: roles are the keys of the (project) roles objects; the tenant is the user's organisation. */
export const ZITADEL_CLAIMS: ClaimMapping = {
  sub: "sub",
  roles: [ZITADEL_ROLES_CLAIM, ZITADEL_PROJECT_ROLES_CLAIM],
  tenant: ZITADEL_ORG_CLAIM,
  teams: ["teams"],
  permissions: ["permissions"],
};

function readPath(claims: JWTPayload, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function valuesOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/[\s,]+/).filter((v) => v !== "");
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (value !== null && typeof value === "object") return Object.keys(value);
  return [];
}

function collect(claims: JWTPayload, paths: readonly ClaimPath[] | undefined): string[] {
  const out: string[] = [];
  for (const path of paths ?? []) {
    if (typeof path === "string") out.push(...valuesOf(readPath(claims, path)));
    else for (const name of Object.keys(claims)) if (path.test(name)) out.push(...valuesOf(claims[name]));
  }
  return out;
}

/** Reads a verified token's claims into a Principal; null when the subject is missing. */
export function principalFromClaims(claims: JWTPayload, mapping: ClaimMapping): Principal | null {
  const sub = readPath(claims, mapping.sub ?? "sub");
  if (typeof sub !== "string" || sub === "") return null;
  let tenantId: string | null = null;
  if (mapping.tenant) {
    const raw = readPath(claims, mapping.tenant);
    if (typeof raw === "string" && raw !== "") tenantId = mapping.tenantFromClaim ? mapping.tenantFromClaim(raw) : raw;
  }
  const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const email = text(claims.email);
  const name = text(claims.name) ?? text(claims.preferred_username);
  return {
    sub,
    tenantId,
    roles: normaliseRoles(collect(claims, mapping.roles)),
    teams: uniqueStrings(collect(claims, mapping.teams)),
    permissions: uniqueStrings(collect(claims, mapping.permissions)),
    kind: "user",
    ...(typeof claims.iss === "string" ? { issuer: claims.iss } : {}),
    ...(email || name ? { profile: { ...(email ? { email } : {}), ...(name ? { name } : {}) } } : {}),
  };
}
