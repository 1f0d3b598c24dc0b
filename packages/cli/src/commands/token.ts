// `tessera token`: a Bearer token from the local dev issuer, for curl and scripts.
import { DevIssuer, isDevIssuerEnabled } from "@tessera/auth";
import type { CommonOptions } from "../options.ts";

export async function tokenCommand(options: CommonOptions & { sub: string; roles: string[]; tenant: string; teams: string[]; expiresIn: string }): Promise<number> {
  if (!isDevIssuerEnabled({ issuer: process.env.OIDC_ISSUER ?? null, nodeEnv: process.env.NODE_ENV })) {
    console.error("the dev issuer is off (an OIDC issuer is configured or NODE_ENV=production): get tokens from your identity provider");
    return 1;
  }
  const issuer = await DevIssuer.open(options.stateDir);
  const token = await issuer.issueDevToken({ sub: options.sub, roles: options.roles, tenantId: options.tenant, teams: options.teams, expiresIn: options.expiresIn });
  console.log(token);
  return 0;
}
