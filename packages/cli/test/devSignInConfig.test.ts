// Dev sign-in (a token for any member, no password) is on by default only on the embedded database:
// on a PostgreSQL server the data may be shared, so it needs TESSERA_DEV_SIGNIN=1.
import { describe, expect, it } from "vitest";
import { ConfigError, devSignInFromEnv } from "../src/apiConfigFromEnv.ts";

const SERVER = "postgres://postgres@127.0.0.1:5432/postgres";

describe("TESSERA_DEV_SIGNIN", () => {
  it("is on for the embedded database and off for a PostgreSQL server unless asked for", () => {
    expect(devSignInFromEnv({}, undefined).enabled).toBe(true);
    const shared = devSignInFromEnv({}, SERVER);
    expect(shared.enabled).toBe(false);
    expect(shared.reason).toContain("TESSERA_DEV_SIGNIN=1");
    expect(devSignInFromEnv({ TESSERA_DEV_SIGNIN: "1" }, SERVER).enabled).toBe(true);
    expect(devSignInFromEnv({ TESSERA_DEV_SIGNIN: "0" }, undefined).enabled).toBe(false);
    expect(devSignInFromEnv({ TESSERA_DEV_SIGNIN: "" }, SERVER).enabled).toBe(false);
  });

  it("refuses anything but 1 or 0, naming the variable", () => {
    expect(() => devSignInFromEnv({ TESSERA_DEV_SIGNIN: "yes" }, SERVER)).toThrow(ConfigError);
    expect(() => devSignInFromEnv({ TESSERA_DEV_SIGNIN: "true" }, SERVER)).toThrow(/TESSERA_DEV_SIGNIN must be 1 \(on\) or 0 \(off\), got 'true'/);
  });
});
