// A Tessera server as `npm start` runs it, on a private database of the driver under test (PGlite,
// or the PostgreSQL server when DATABASE_URL is set): the app's migration files applied, the demo
// tenant seeded through the engine, the dev sign-in on, and the built admin UI served at `/`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { applyMigrations, migrate } from "@tessera/db";
import { Engine } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { DEMO_TENANT, loadApp, type DemoUserInfo, type LoadedApp } from "@tessera/cli";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { builtAdminUi } from "./adminUi.ts";

export const CRM_APP_DIR = resolve(import.meta.dirname, "..", "..", "apps", "crm");

/** Browser tests make many requests from one IP and one principal; the limiter is not under test. */
const GENEROUS_RATE_LIMIT = { perIp: 1_000_000, perPrincipal: 1_000_000, durationSeconds: 60 };

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; fieldErrors?: { path: (string | number)[]; message: string }[] } }[];
}

export interface CrmServer {
  /** http://127.0.0.1:<port> */
  url: string;
  origin: string;
  app: LoadedApp;
  engine: Engine;
  tenantId: string;
  /** A demo user by first name ("Ana", "Bruno", "Chloé", "Dan"). */
  user(firstName: string): DemoUserInfo;
  /** A token for a demo user, from the same dev sign-in endpoint the UI calls. */
  tokenFor(firstName: string): Promise<string>;
  /** One GraphQL request as a demo user; the answer as the server sent it, errors included. */
  graphql<T = Record<string, any>>(firstName: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  /** Like `graphql`, but throws on errors and returns `data`. */
  query<T = Record<string, any>>(firstName: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export interface StartCrmOptions {
  /** The app folder (schema.ts, migrations/, seed/); default apps/crm. */
  appDir?: string;
  /**
   * Write a migration for schema changes no file covers yet (`tessera migrate`), then apply.
   * Only for a copy of an app: it writes into the app's migrations folder.
   */
  generateMigration?: boolean;
}

export async function startCrm(options: StartCrmOptions = {}): Promise<CrmServer> {
  const adminDir = await builtAdminUi();
  const app = await loadApp(options.appDir ?? CRM_APP_DIR);
  if (!app.seed) throw new Error(`${app.dir} has no seed: the browser tests need its demo data`);
  const database: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-state-"));
  let engine: Engine | undefined;
  try {
    if (options.generateMigration) await migrate({ db: database.db, ir: app.schema, dir: app.migrationsDir });
    else await applyMigrations({ db: database.db, dir: app.migrationsDir });
    engine = new Engine({ schema: app.schema, db: database.db });
    await engine.tenants.ensure(DEMO_TENANT);
    await app.seed(engine, { tenantId: DEMO_TENANT.id });
    await engine.start();
    const { app: server } = await createApiServer({
      engine,
      ir: app.schema,
      appName: app.name,
      dataDir,
      logger: false,
      rateLimit: GENEROUS_RATE_LIMIT,
      devSignInTenantId: DEMO_TENANT.id,
      adminDir,
    });
    const address = await server.listen({ port: 0, host: "127.0.0.1" });
    const url = address.replace("localhost", "127.0.0.1");
    const tokens = new Map<string, string>();

    const user = (firstName: string): DemoUserInfo => {
      const found = app.demoUsers.find((u) => u.name.split(" ")[0] === firstName);
      if (!found) throw new Error(`no demo user named ${firstName}: ${app.demoUsers.map((u) => u.name).join(", ")}`);
      return found;
    };
    const tokenFor = async (firstName: string): Promise<string> => {
      const cached = tokens.get(firstName);
      if (cached) return cached;
      const response = await fetch(`${url}/auth/dev/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: user(firstName).id }),
      });
      if (!response.ok) throw new Error(`dev sign-in of ${firstName} answered ${response.status}: ${await response.text()}`);
      const { token } = (await response.json()) as { token: string };
      tokens.set(firstName, token);
      return token;
    };
    const graphql = async <T>(firstName: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> => {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await tokenFor(firstName)}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLAnswer<T>;
    };
    const running = engine;
    return {
      url,
      origin: new URL(url).origin,
      app,
      engine: running,
      tenantId: DEMO_TENANT.id,
      user,
      tokenFor,
      graphql,
      async query<T>(firstName: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
        const answer = await graphql<T>(firstName, query, variables);
        if (answer.errors?.length || !answer.data) throw new Error(`GraphQL as ${firstName} failed: ${JSON.stringify(answer.errors)}`);
        return answer.data;
      },
      async close() {
        await server.close();
        await running.stop();
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await engine?.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
