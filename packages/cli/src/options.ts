import { dirname, join, resolve } from "node:path";

/** Options every command takes: the app folder, the embedded data folder and the server URL. */
export interface CommonOptions {
  app: string;
  dataDir: string;
  /** Local state beside the database (the dev issuer's signing key): the data folder's parent. */
  stateDir: string;
  databaseUrl?: string;
}

export const COMMON_OPTIONS = {
  app: { type: "string", default: "." },
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export function commonOptions(values: { app?: string; "data-dir"?: string; "database-url"?: string }): CommonOptions {
  const dataDir = resolve(values["data-dir"] ?? process.env.TESSERA_DATA_DIR ?? join(process.cwd(), ".tessera", "data"));
  return {
    app: resolve(values.app ?? "."),
    dataDir,
    stateDir: dirname(dataDir),
    databaseUrl: values["database-url"] ?? process.env.DATABASE_URL ?? undefined,
  };
}
