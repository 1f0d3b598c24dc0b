// Serves the built admin UI at `/`. Hashed assets are cached for a year; `index.html` never is, so
// a deploy is picked up on the next load. Any other GET that is not an API path gets `index.html`
// (client-side routes such as /m/Contact/…); unknown API paths keep their JSON 404.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";

const API_PREFIXES = ["/graphql", "/graphiql", "/api/", "/auth/", "/realtime/", "/.well-known/", "/metrics", "/healthz", "/readyz"];

export class AdminUiMissingError extends Error {
  readonly code = "ADMIN_UI_NOT_BUILT";
}

export async function adminUiPlugin(app: FastifyInstance, options: { root: string }): Promise<void> {
  const index = join(options.root, "index.html");
  if (!existsSync(index)) throw new AdminUiMissingError(`the admin UI is not built: ${index} is missing (run: npm run build:admin)`);
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: "/",
    // Files are looked up per request, so a rebuilt UI is served without a restart.
    wildcard: true,
    index: false,
    // Our own headers below, per file kind, instead of the plugin's max-age=0 for everything.
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader("cache-control", path.includes(`${join(options.root, "assets")}`) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const sendIndex = (reply: { header(name: string, value: string): unknown; sendFile(file: string): unknown }) => {
    reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html");
  };
  app.get("/", (_request, reply) => sendIndex(reply));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    if (request.method === "GET" && !API_PREFIXES.some((p) => path.startsWith(p)) && !path.startsWith("/assets/")) return sendIndex(reply);
    return reply.code(404).send({ error: { code: "NOT_FOUND", message: `no route ${request.method} ${path}` } });
  });
}
