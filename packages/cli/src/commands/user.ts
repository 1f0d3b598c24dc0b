// `tessera user list|add`: platform users (the User model every app has), changed only through the
// system API, and the identity providers' subjects that map to them.
import { systemContext, USER_MODEL, type Engine, type RecordData } from "@tessera/engine";
import { table, withAppEngine } from "../appEngine.ts";
import type { CommonOptions } from "../options.ts";

/** Every user (soft-deleted ones excluded), by e-mail, page by page. */
async function allUsers(engine: Engine): Promise<RecordData[]> {
  const users: RecordData[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await engine.model(USER_MODEL).findMany({ fields: ["id", "email", "name"], orderBy: "email_ASC", first: engine.schema.config.maxPageSize, ...(after ? { after } : {}) }, systemContext(null));
    users.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return users;
    after = page.pageInfo.endCursor;
  }
}

export async function userListCommand(options: CommonOptions & { json: boolean }): Promise<number> {
  return withAppEngine(options, async ({ engine, identities }) => {
    const users = await allUsers(engine);
    const listed = [];
    for (const user of users) {
      const ids = await identities.identitiesOf(String(user.id));
      listed.push({ id: String(user.id), email: (user.email as string | null) ?? null, name: (user.name as string | null) ?? null, identities: ids.map(({ issuer, subject }) => ({ issuer, subject })) });
    }
    if (options.json) {
      console.log(JSON.stringify(listed, null, 2));
      return 0;
    }
    if (listed.length === 0) {
      console.error("no users yet: tessera user add --email …, or they are created on their first sign-in");
      return 0;
    }
    console.log(table(["id", "email", "name", "identities"], listed.map((u) => [u.id, u.email ?? "", u.name ?? "", u.identities.map((i) => `${i.issuer} ${i.subject}`).join(", ")])));
    return 0;
  });
}

/** The user with this e-mail (exact match, as the unique index compares), or null. */
export async function userByEmail(engine: Engine, email: string): Promise<RecordData | null> {
  const page = await engine.model(USER_MODEL).findMany({ where: { email }, fields: ["id", "email", "name"], first: 1 }, systemContext(null));
  return page.nodes[0] ?? null;
}

export async function userAddCommand(options: CommonOptions & { email: string; name?: string; identity?: { issuer: string; subject: string } }): Promise<number> {
  return withAppEngine(options, async ({ engine, identities }) => {
    const existing = await userByEmail(engine, options.email);
    // Refuse before creating anything when the identity already maps to someone else.
    if (options.identity) {
      const owner = await identities.findUser(options.identity.issuer, options.identity.subject);
      if (owner !== null && owner !== existing?.id) {
        console.error(`the identity ${options.identity.subject} at ${options.identity.issuer} already belongs to user ${owner}`);
        return 1;
      }
    }
    let userId: string;
    if (existing) {
      userId = String(existing.id);
      console.error(`user ${userId} (${options.email}) already exists${options.name !== undefined && options.name !== existing.name ? `; its name stays '${String(existing.name ?? "")}'` : ""}`);
    } else {
      const created = await engine.model(USER_MODEL).create({ email: options.email, ...(options.name !== undefined ? { name: options.name } : {}) }, systemContext(null));
      userId = String(created.id);
      console.error(`created user ${userId} (${options.email})`);
    }
    if (options.identity) {
      await identities.link(options.identity.issuer, options.identity.subject, userId);
      console.error(`${options.identity.subject} at ${options.identity.issuer} signs in as ${userId}`);
    }
    console.log(userId);
    return 0;
  });
}
