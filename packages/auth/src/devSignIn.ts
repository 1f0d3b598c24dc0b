// Passwordless sign-in for the embedded default: the admin UI lists the users who are members of
// the dev tenant and signs in as one of them with a token from the dev issuer. It is registered
// only when the dev issuer is on (no identity provider configured, NODE_ENV not production), the
// same condition under which `tessera token` works; the roles and teams in the token come from the
// user's Membership rows, never from the request. `POST /auth/dev/session` is the admin UI's: it puts
// the token in the HttpOnly session cookie (browserSession.ts) instead of handing it to page script;
// `POST /auth/dev/token` answers the token itself, for scripts and tests.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { systemContext, type Engine } from "@tessera/engine";
import { UUID_PATTERN } from "@tessera/schema";
import type { DevIssuer } from "./devIssuer.ts";
import type { MembershipCheck } from "./membership.ts";
import { CSRF_HEADER, sessionCookie } from "./browserSession.ts";

export const DEV_SIGN_IN_PATH = "/auth/dev";

export interface DevSignInOptions {
  devIssuer: DevIssuer;
  engine: Engine;
  /** The tenant whose members may sign in. */
  tenantId: string;
  isMember: MembershipCheck;
  /** Token lifetime in seconds; default 8 hours. */
  expiresInSeconds?: number;
}

export interface DevUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
}

const DEFAULT_EXPIRES_IN = 8 * 3600;

async function listMembers(engine: Engine, tenantId: string): Promise<DevUser[]> {
  const page = await engine
    .model("Membership")
    .findMany({ fields: ["userId", "role"], include: { user: { fields: ["id", "name", "email", "active"] } }, first: 100 }, systemContext(tenantId));
  const users = new Map<string, DevUser>();
  for (const row of page.nodes) {
    const user = row.user as { id: string; name: string; email: string; active: boolean } | null;
    if (!user || user.active === false) continue;
    const entry = users.get(user.id) ?? { id: user.id, name: user.name, email: user.email, roles: [] };
    if (typeof row.role === "string" && !entry.roles.includes(row.role)) entry.roles.push(row.role);
    users.set(user.id, entry);
  }
  return [...users.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function devSignInPlugin(app: FastifyInstance, options: DevSignInOptions): Promise<void> {
  const expiresIn = options.expiresInSeconds ?? DEFAULT_EXPIRES_IN;

  app.get(`${DEV_SIGN_IN_PATH}/users`, async () => ({ tenantId: options.tenantId, users: await listMembers(options.engine, options.tenantId) }));

  interface Issued {
    token: string;
    tenantId: string;
    roles: string[];
    expiresAt: string;
  }
  /** The token for the member the body names, or the refusal already sent. */
  const issue = async (request: FastifyRequest, reply: FastifyReply): Promise<Issued | FastifyReply> => {
    const body = request.body as { userId?: unknown } | null;
    const userId = body && typeof body === "object" ? body.userId : undefined;
    // Roles and teams come from the membership: a body that tries to say otherwise is refused, not ignored.
    const extra = body && typeof body === "object" ? Object.keys(body).filter((key) => key !== "userId") : [];
    if (extra.length > 0) {
      return reply.code(400).send({ error: { code: "VALIDATION_FAILED", message: `unknown field${extra.length > 1 ? "s" : ""} ${extra.join(", ")}: send only { "userId" } (roles come from the user's memberships)` } });
    }
    if (typeof userId !== "string" || !UUID_PATTERN.test(userId)) {
      return reply.code(400).send({ error: { code: "VALIDATION_FAILED", message: "send { \"userId\": \"<uuid of a member of the tenant>\" }" } });
    }
    const membership = await options.isMember(userId, options.tenantId);
    if (!membership) {
      return reply.code(403).send({ error: { code: "FORBIDDEN", message: "this user is not a member of the dev tenant" } });
    }
    const token = await options.devIssuer.issueDevToken({ sub: userId, roles: membership.roles, teams: membership.teams, tenantId: options.tenantId, expiresIn: `${expiresIn}s` });
    return { token, tenantId: options.tenantId, roles: membership.roles, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  };

  app.post(`${DEV_SIGN_IN_PATH}/token`, async (request, reply) => issue(request, reply));

  app.post(`${DEV_SIGN_IN_PATH}/session`, async (request, reply) => {
    // Without the header a page of another origin could sign the browser in as someone else (login CSRF).
    if (request.headers[CSRF_HEADER] === undefined) {
      return reply.code(403).send({ error: { code: "FORBIDDEN", message: `Send the ${CSRF_HEADER} header to sign in (the admin UI does).` } });
    }
    const issued = await issue(request, reply);
    if (!("token" in issued)) return issued;
    const { token, ...rest } = issued;
    return reply
      .header("set-cookie", sessionCookie(token, { secure: request.protocol === "https", maxAgeSeconds: expiresIn }))
      .header("cache-control", "no-store")
      .send(rest);
  });
}
