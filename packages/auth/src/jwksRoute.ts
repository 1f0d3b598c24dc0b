// `GET /.well-known/jwks.json`: the public keys of the dev issuer, for clients that verify its tokens.
import type { FastifyInstance } from "fastify";
import type { JSONWebKeySet } from "jose";

export const JWKS_PATH = "/.well-known/jwks.json";

export async function jwksRoute(app: FastifyInstance, options: { jwks: JSONWebKeySet }): Promise<void> {
  app.get(JWKS_PATH, async (_request, reply) => {
    void reply.header("cache-control", "public, max-age=300");
    return options.jwks;
  });
}
