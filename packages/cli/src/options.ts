import { join, resolve } from "node:path";

/** Options every command takes: the app folder, the embedded data folder and the server URL. */
export interface CommonOptions {
  app: string;
  dataDir: string;
  databaseUrl?: string;
}

export const COMMON_OPTIONS = {
  app: { type: "string", default: "." },
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export function commonOptions(values: { app?: string; "data-dir"?: string; "database-url"?: string }): CommonOptions {
  return {
    app: resolve(values.app ?? "."),
    dataDir: resolve(values["data-dir"] ?? join(process.cwd(), ".tessera", "data")),
    databaseUrl: values["database-url"] ?? process.env.DATABASE_URL ?? undefined,
  };
}
