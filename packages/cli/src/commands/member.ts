// `tessera member add|remove`: a user's roles in a tenant are Membership rows of that tenant,
// written through the engine (validation of the app's Membership.role, events, audit).
import { systemContext, USER_MODEL, type Engine } from "@tessera/engine";
import { withAppEngine } from "../appEngine.ts";
import type { CommonOptions } from "../options.ts";
import { userByEmail } from "./user.ts";

const MEMBERSHIP = "Membership";

export type UserRef = { userId: string } | { email: string };

interface MemberOptions extends CommonOptions {
  tenant: string;
  who: UserRef;
}

/** The tenant and user, or a message saying which one is unknown. */
async function resolveTarget(engine: Engine, options: MemberOptions): Promise<{ userId: string; label: string } | string> {
  if (!(await engine.tenants.get(options.tenant))) return `no tenant ${options.tenant}: tessera tenant list shows the tenants, tessera tenant create adds one`;
  if ("email" in options.who) {
    const user = await userByEmail(engine, options.who.email);
    return user ? { userId: String(user.id), label: options.who.email } : `no user with the e-mail ${options.who.email}: add it with tessera user add --email ${options.who.email}`;
  }
  const user = await engine.model(USER_MODEL).findUnique({ id: options.who.userId }, systemContext(null), { fields: ["id", "email"] });
  return user ? { userId: String(user.id), label: String(user.email ?? user.id) } : `no user ${options.who.userId}: tessera user list shows the users`;
}

export async function memberAddCommand(options: MemberOptions & { role: string; team?: string }): Promise<number> {
  return withAppEngine(options, async ({ engine }) => {
    const target = await resolveTarget(engine, options);
    if (typeof target === "string") {
      console.error(target);
      return 1;
    }
    const ctx = systemContext(options.tenant);
    const teamId = options.team ?? null;
    // Idempotent: the same user, team and role is reported, not added twice.
    const same = await engine.model(MEMBERSHIP).findMany({ where: { userId: target.userId, teamId, role: options.role }, fields: ["id"], first: 1 }, ctx);
    if (same.nodes.length > 0) {
      console.error(`${target.label} already has the role ${options.role}${teamId ? ` in team ${teamId}` : ""} in tenant ${options.tenant}`);
      console.log(String(same.nodes[0].id));
      return 0;
    }
    // The engine validates the role against the app's Membership.role and the team against the tenant's teams.
    const created = await engine.model(MEMBERSHIP).create({ userId: target.userId, role: options.role, ...(teamId ? { teamId } : {}) }, ctx);
    console.error(`${target.label} is now ${options.role}${teamId ? ` in team ${teamId}` : ""} in tenant ${options.tenant}`);
    console.log(String(created.id));
    return 0;
  });
}

export async function memberRemoveCommand(options: MemberOptions): Promise<number> {
  return withAppEngine(options, async ({ engine }) => {
    const target = await resolveTarget(engine, options);
    if (typeof target === "string") {
      console.error(target);
      return 1;
    }
    // Memberships only: the user is platform data other tenants may share.
    const removed = await engine.model(MEMBERSHIP).deleteMany({ userId: target.userId }, systemContext(options.tenant));
    console.error(removed.count > 0 ? `removed ${removed.count} membership(s) of ${target.label} in tenant ${options.tenant}` : `${target.label} has no membership in tenant ${options.tenant}`);
    return 0;
  });
}
