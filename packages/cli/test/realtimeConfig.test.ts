// REALTIME_* settings: the backplane a deployment names, its URL, its topic; bad values refused with the variable's name.
import { describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/apiConfigFromEnv.ts";

describe("realtime settings from the environment", () => {
  it("defaults to the memory backplane and reads postgres, redis and nats with their URLs and topic", () => {
    expect(apiConfigFromEnv({}).realtime).toEqual({ backplane: { kind: "memory" } });
    expect(apiConfigFromEnv({ REALTIME_BACKPLANE: "postgres", REALTIME_TOPIC: "crm_live" }).realtime).toEqual({ backplane: { kind: "postgres", channel: "crm_live" } });
    expect(apiConfigFromEnv({ REALTIME_BACKPLANE: "redis", REDIS_URL: "redis://r:6379" }).realtime).toEqual({ backplane: { kind: "redis", url: "redis://r:6379" } });
    expect(apiConfigFromEnv({ REALTIME_BACKPLANE: "nats", NATS_URL: "nats://n:4222", REALTIME_TOPIC: "crm.live" }).realtime).toEqual({ backplane: { kind: "nats", url: "nats://n:4222", subject: "crm.live" } });
  });

  it("refuses an unknown backplane, a missing URL and a topic PostgreSQL cannot LISTEN on, naming the variable", () => {
    expect(() => apiConfigFromEnv({ REALTIME_BACKPLANE: "kafka" })).toThrow(/REALTIME_BACKPLANE/);
    expect(() => apiConfigFromEnv({ REALTIME_BACKPLANE: "redis" })).toThrow(/REDIS_URL/);
    expect(() => apiConfigFromEnv({ REALTIME_BACKPLANE: "nats" })).toThrow(/NATS_URL/);
    expect(() => apiConfigFromEnv({ REALTIME_BACKPLANE: "postgres", REALTIME_TOPIC: "Crm-Live" })).toThrow(/REALTIME_TOPIC/);
    expect(() => apiConfigFromEnv({ REALTIME_TOPIC: "x" })).toThrow(/REALTIME_TOPIC/);
  });
});
