// `tessera tenant create`: registers a tenant (idempotent).
import { randomUUID } from "node:crypto";
import { applyMigrations, openDatabase } from "@tessera/db";
import { TenantRegistry } from "@tessera/engine";
import { loadApp } from "../loadApp.ts";
import type { CommonOptions } from "../options.ts";
import { UUID_PATTERN } from "@tessera/schema";
import { table, withAppEngine } from "../appEngine.ts";

export async function tenantCreateCommand(options: CommonOptions & { id?: string; name: string; slug?: string }): Promise<number> {
  const id = options.id ?? randomUUID();
  if (!UUID_PATTERN.test(id)) {
    console.error(`--id must be a UUID, got '${id}'`);
    return 2;
  }
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  try {
    await applyMigrations({ db, dir: app.migrationsDir });
    const created = await new TenantRegistry(db).ensure({ id, name: options.name, ...(options.slug ? { slug: options.slug } : {}) });
    console.log(id);
    console.error(created ? `created tenant ${id} (${options.name})` : `tenant ${id} already exists`);
    return 0;
  } finally {
    await db.close();
  }
}

/** `tessera tenant list`: every tenant with the identity providers' ids linked to it. */
export async function tenantListCommand(options: CommonOptions & { json: boolean }): Promise<number> {
  return withAppEngine(options, async ({ engine, identities }) => {
    const [tenants, links] = await Promise.all([engine.tenants.list(), identities.tenantLinks()]);
    const listed = tenants.map((t) => ({ ...t, links: links.filter((l) => l.tenantId === t.id).map(({ issuer, externalId }) => ({ issuer, externalId })) }));
    if (options.json) {
      console.log(JSON.stringify(listed, null, 2));
      return 0;
    }
    if (listed.length === 0) {
      console.error("no tenants yet: tessera tenant create --name …");
      return 0;
    }
    console.log(table(["id", "name", "slug", "linked"], listed.map((t) => [t.id, t.name, t.slug ?? "", t.links.map((l) => `${l.issuer} ${l.externalId}`).join(", ")])));
    return 0;
  });
}

/** `tessera tenant link`: an identity provider's id for a tenant (a ZITADEL organisation) → the tenant. */
export async function tenantLinkCommand(options: CommonOptions & { issuer: string; externalId: string; tenant: string }): Promise<number> {
  return withAppEngine(options, async ({ identities }) => {
    // Refusals (unknown tenant, linked elsewhere) are EngineErrors, printed by withAppEngine.
    await identities.linkTenant(options.issuer, options.externalId, options.tenant);
    console.error(`${options.externalId} at ${options.issuer} now stands for tenant ${options.tenant}`);
    return 0;
  });
}

export async function tenantUnlinkCommand(options: CommonOptions & { issuer: string; externalId: string }): Promise<number> {
  return withAppEngine(options, async ({ identities }) => {
    const removed = await identities.unlinkTenant(options.issuer, options.externalId);
    console.error(removed ? `unlinked ${options.externalId} at ${options.issuer}` : `${options.externalId} at ${options.issuer} was not linked`);
    return removed ? 0 : 1;
  });
}
