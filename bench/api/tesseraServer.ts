// Child process (T): the Tessera API as `tessera start` builds it — createApiServer with the CRM
// schema over an Engine on the bench database — minus logging, with rate limits out of the way.
//   BENCH_CACHE=on   the engine's read cache on (the production default), engine.start()ed
//   BENCH_CACHE=off  `cache: false`, so every request reaches PostgreSQL (fair against P and H)
// Auth is the dev issuer (keys in BENCH_TOKEN_DIR, shared with the driver that signs the token).
// The dev issuer refuses NODE_ENV=production, so the process runs in production mode and only
// createApiServer's `nodeEnv` option says "development" (it gates nothing but the dev issuer).
import { openPostgres } from "@tessera/db";
import { Engine } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { schema } from "@tessera/crm";
import { benchUrl, POOL_SIZE } from "./common.ts";

const port = Number(process.env.PORT);
const cache = process.env.BENCH_CACHE !== "off";
const dataDir = process.env.BENCH_TOKEN_DIR;
if (!dataDir) throw new Error("BENCH_TOKEN_DIR is required");

const db = await openPostgres({ connectionString: benchUrl(), maxConnections: POOL_SIZE });
const engine = new Engine({ schema: schema.ir, db, ...(cache ? {} : { cache: false as const }) });
// As `tessera start`: event delivery, which also feeds cache invalidation. A fixed consumer name so
// repeated bench runs do not leave one consumer row per pid behind.
if (cache) await engine.start({ nodeId: "bench-api" });
const { app } = await createApiServer({
  engine,
  ir: schema.ir,
  appName: "crm-bench",
  dataDir,
  issuer: null,
  nodeEnv: "development",
  // The subscriptions' event consumer (`graphql-ws:<nodeId>`): a fixed name per variant, removed
  // again by the driver, instead of one row per pid.
  nodeId: `bench-api-${cache ? "cache" : "nocache"}`,
  logger: false,
  rateLimit: { perIp: 1_000_000_000, perPrincipal: 1_000_000_000, durationSeconds: 60 },
});
await app.listen({ port, host: "127.0.0.1" });
process.send?.({ ready: port });

const stop = async (): Promise<void> => {
  await app.close();
  await engine.stop();
  await db.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
