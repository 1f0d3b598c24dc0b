// HTTP composition. This issue serves health and readiness; the GraphQL API, auth and the UI
// are added as fastify plugins by the issues that build them.
import Fastify, { type FastifyInstance } from "fastify";
import type { Engine } from "@tessera/engine";

export interface ServerOptions {
  engine: Engine;
  /** Shown by /healthz so operators can tell apps apart. */
  appName: string;
  logger?: boolean;
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1_048_576 });
  const startedAt = new Date().toISOString();

  app.get("/healthz", async () => ({ status: "ok", app: options.appName, startedAt }));

  // Ready means the database answers, not just that the process is up.
  app.get("/readyz", async (_request, reply) => {
    try {
      await options.engine.db.query("SELECT 1");
      return { status: "ready", database: options.engine.db.kind };
    } catch {
      return reply.code(503).send({ status: "unavailable", database: options.engine.db.kind });
    }
  });

  return app;
}
