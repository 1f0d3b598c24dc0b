// A benchmark server in its own process (forked by run.ts), on 127.0.0.1:$PORT.
//   BENCH_RT_SERVER=tessera  createApiServer with the CRM schema: /realtime/ws (and /graphql for the
//                            committed-change scenario); PGlite in memory, or BENCH_RT_DB_URL;
//                            BENCH_RT_REDIS_CHANNEL set: the Redis backplane on that channel
//   BENCH_RT_SERVER=raw      the baseline: a bare `ws` server relaying each text frame to every other client
// IPC: {cmd: "memory"} → {memory: process.memoryUsage() after a GC}; {cmd: "stop"} → exits.
import { WebSocketServer, type WebSocket } from "ws";
import { openPglite, openPostgres, type Database } from "@tessera/db";
import { Engine } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { schema } from "@tessera/crm";
import { prepareBenchDatabase } from "./benchData.ts";

const port = Number(process.env.PORT);
const kind = process.env.BENCH_RT_SERVER;
let stop: () => Promise<void>;

if (kind === "raw") {
  const wss = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: false });
  wss.on("connection", (socket: WebSocket) => {
    socket.on("message", (data, isBinary) => {
      for (const client of wss.clients) if (client !== socket) client.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  stop = () => new Promise((resolve) => wss.close(() => resolve()));
} else if (kind === "tessera") {
  const dataDir = process.env.BENCH_TOKEN_DIR;
  if (!dataDir) throw new Error("BENCH_TOKEN_DIR is required");
  const url = process.env.BENCH_RT_DB_URL;
  const db: Database = url ? await openPostgres({ connectionString: url, maxConnections: 4 }) : await openPglite();
  const engine = new Engine({ schema: schema.ir, db });
  if (!url) await prepareBenchDatabase(db, engine);
  const nodeId = process.env.BENCH_RT_NODE ?? `bench-rt-${port}`;
  await engine.start({ nodeId });
  const redisChannel = process.env.BENCH_RT_REDIS_CHANNEL;
  const { app } = await createApiServer({
    engine,
    ir: schema.ir,
    appName: "crm-realtime-bench",
    dataDir,
    issuer: null,
    nodeEnv: "development",
    nodeId,
    logger: false,
    rateLimit: { perIp: 1_000_000_000, perPrincipal: 1_000_000_000, durationSeconds: 60 },
    realtime: {
      ...(redisChannel ? { backplane: { kind: "redis", url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", channel: redisChannel } } : {}),
      // Bench clients are raw sockets that do not ping; the publisher sends bursts.
      heartbeatMs: 60_000,
      clientTimeoutMs: 600_000,
      inboundRate: { perSecond: 1_000_000, burst: 1_000_000 },
      maxChannelsPerConnection: 10,
    },
  });
  await app.listen({ port, host: "127.0.0.1" });
  stop = async () => {
    await app.close();
    await engine.stop();
    await db.close();
  };
} else {
  throw new Error(`BENCH_RT_SERVER must be tessera or raw, got '${kind}'`);
}

process.on("message", (message: { cmd?: string }) => {
  if (message.cmd === "memory") {
    globalThis.gc?.();
    process.send?.({ memory: process.memoryUsage() });
  } else if (message.cmd === "stop") {
    void stop().finally(() => process.exit(0));
  }
});
process.send?.({ ready: port });
