// The backplane a deployment configured (REALTIME_BACKPLANE=memory|postgres|redis|nats).
import type { Database } from "@tessera/db";
import type { Backplane } from "./Backplane.ts";
import { MemoryBackplane, type MemoryBus } from "./MemoryBackplane.ts";
import { NatsBackplane } from "./NatsBackplane.ts";
import { PostgresBackplane } from "./PostgresBackplane.ts";
import { RedisBackplane } from "./RedisBackplane.ts";

export type BackplaneConfig =
  | { kind: "memory"; bus?: MemoryBus }
  /** LISTEN/NOTIFY on the app's own database. */
  | { kind: "postgres"; channel?: string }
  | { kind: "redis"; url: string; channel?: string }
  | { kind: "nats"; url: string; subject?: string };

function isBackplane(value: BackplaneConfig | Backplane): value is Backplane {
  return typeof (value as Backplane).publish === "function";
}

/** Builds the configured backplane (not yet started); an instance is passed through. */
export function createBackplane(config: BackplaneConfig | Backplane, services: { db: Database }): Backplane {
  if (isBackplane(config)) return config;
  switch (config.kind) {
    case "memory":
      return new MemoryBackplane(config.bus);
    case "postgres":
      return new PostgresBackplane(services.db, config.channel);
    case "redis":
      return new RedisBackplane(config.url, config.channel);
    case "nats":
      return new NatsBackplane(config.url, config.subject);
  }
}
