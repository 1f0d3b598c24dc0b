// TESSERA_ROLE_SOURCE: where members' roles come from, read at start and refused when misspelt.
import { describe, expect, it } from "vitest";
import { apiConfigFromEnv, ConfigError } from "../src/apiConfigFromEnv.ts";

describe("TESSERA_ROLE_SOURCE", () => {
  it("defaults to the tenant's memberships and accepts the token as the operator's choice", () => {
    expect(apiConfigFromEnv({}).roleSource).toBe("membership");
    expect(apiConfigFromEnv({ TESSERA_ROLE_SOURCE: "membership" }).roleSource).toBe("membership");
    expect(apiConfigFromEnv({ TESSERA_ROLE_SOURCE: "token" }).roleSource).toBe("token");
    expect(apiConfigFromEnv({ TESSERA_ROLE_SOURCE: "both" }).roleSource).toBe("both");
  });

  it("provisions users on first sign-in unless TESSERA_PROVISION_USERS=0, with an optional default role", () => {
    expect(apiConfigFromEnv({}).provisioning).toEqual({ enabled: true });
    expect(apiConfigFromEnv({ TESSERA_PROVISION_USERS: "0", TESSERA_DEFAULT_ROLE: "viewer" }).provisioning).toEqual({ enabled: false, defaultRole: "viewer" });
    expect(() => apiConfigFromEnv({ TESSERA_PROVISION_USERS: "yes" })).toThrow(/TESSERA_PROVISION_USERS must be 1 \(on\) or 0 \(off\)/);
  });

  it("refuses anything else, naming the variable", () => {
    expect(() => apiConfigFromEnv({ TESSERA_ROLE_SOURCE: "tokens" })).toThrow(ConfigError);
    expect(() => apiConfigFromEnv({ TESSERA_ROLE_SOURCE: "tokens" })).toThrow(/TESSERA_ROLE_SOURCE must be one of membership, token, both/);
  });
});
