// An API key as a credential: a service principal bound to the key's tenant.
import type { ApiKeyRecord, ApiKeyStore } from "@tessera/engine";
import { unauthenticated } from "./AuthError.ts";
import { normaliseRoles, type Principal } from "./Principal.ts";

export function principalFromApiKey(record: ApiKeyRecord): Principal {
  return {
    sub: `apikey:${record.id}`,
    tenantId: record.tenantId,
    roles: normaliseRoles(record.roles),
    teams: [],
    permissions: [...record.permissions],
    kind: "service",
  };
}

/** Verifies a plaintext key; throws AuthError 401 when it is malformed, unknown or revoked. */
export async function verifyApiKey(store: ApiKeyStore, key: string): Promise<Principal> {
  const check = await store.verify(key);
  if (check.valid) return principalFromApiKey(check.record);
  switch (check.reason) {
    case "malformed":
      throw unauthenticated("malformed", "The API key is not well formed; send it exactly as it was shown when created (tsk_<prefix>_<secret>).");
    case "revoked":
      throw unauthenticated("revoked", "The API key has been revoked; ask an administrator of the tenant for a new one.");
    default:
      throw unauthenticated("invalid", "The API key is not valid; check that it was copied whole, or create a new one.");
  }
}
