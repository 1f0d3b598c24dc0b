// Edge limits from the environment: the write cap, failed-credential limits and the metrics token,
// with documented defaults; bad values refused with the variable's name.
import { describe, expect, it } from "vitest";
import { DEFAULT_FAILED_CREDENTIALS } from "@tessera/server";
import { DEFAULT_MAX_WRITE_RECORDS } from "@tessera/graphql";
import { apiConfigFromEnv } from "../src/apiConfigFromEnv.ts";

describe("edge limits from the environment", () => {
  it("defaults to 200 records per request, 30 failed credentials per IP and 100 per key prefix in 5 minutes, and no metrics token", () => {
    const config = apiConfigFromEnv({});
    expect(config.maxWriteRecords).toBe(DEFAULT_MAX_WRITE_RECORDS);
    expect(DEFAULT_MAX_WRITE_RECORDS).toBe(200);
    expect(config.rateLimit.failedCredentials).toEqual(DEFAULT_FAILED_CREDENTIALS);
    expect(DEFAULT_FAILED_CREDENTIALS).toEqual({ perIp: 30, perKeyPrefix: 100, durationSeconds: 300 });
    expect(config.metricsToken).toBeUndefined();
  });

  it("reads TESSERA_MAX_WRITE_RECORDS, RATE_LIMIT_FAILED_AUTH_* and TESSERA_METRICS_TOKEN", () => {
    const token = "a".repeat(32);
    const config = apiConfigFromEnv({ TESSERA_MAX_WRITE_RECORDS: "50", RATE_LIMIT_FAILED_AUTH_PER_IP: "5", RATE_LIMIT_FAILED_AUTH_PER_KEY: "7", RATE_LIMIT_FAILED_AUTH_WINDOW_SECONDS: "60", TESSERA_METRICS_TOKEN: token });
    expect(config.maxWriteRecords).toBe(50);
    expect(config.rateLimit.failedCredentials).toEqual({ perIp: 5, perKeyPrefix: 7, durationSeconds: 60 });
    expect(config.metricsToken).toBe(token);
  });

  it("refuses bad values, naming the variable", () => {
    expect(() => apiConfigFromEnv({ TESSERA_MAX_WRITE_RECORDS: "0" })).toThrow(/TESSERA_MAX_WRITE_RECORDS must be a positive whole number/);
    expect(() => apiConfigFromEnv({ RATE_LIMIT_FAILED_AUTH_PER_IP: "many" })).toThrow(/RATE_LIMIT_FAILED_AUTH_PER_IP/);
    expect(() => apiConfigFromEnv({ TESSERA_METRICS_TOKEN: "short" })).toThrow(/TESSERA_METRICS_TOKEN must be at least 32 characters/);
    expect(() => apiConfigFromEnv({ TESSERA_METRICS_TOKEN: `${"a".repeat(32)} b` })).toThrow(/TESSERA_METRICS_TOKEN/);
  });
});
