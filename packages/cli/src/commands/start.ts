// `tessera start`: migrate, seed demo data on first run, serve. What `npm start` runs for the CRM.
import { applyMigrations, checkMigrations, openDatabase } from "@tessera/db";
import { Engine } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { apiConfigFromEnv, devSignInFromEnv } from "../apiConfigFromEnv.ts";
import { loadApp } from "../loadApp.ts";
import { ensureAdminUi } from "../adminUi.ts";
import type { CommonOptions } from "../options.ts";
import { DEMO_TENANT, ensureTenant } from "../demoTenant.ts";

export async function startCommand(options: CommonOptions & { port: number; host: string; seed: boolean; adminDir?: string | null }): Promise<number> {
  const config = apiConfigFromEnv();
  const devSignIn = devSignInFromEnv(process.env, options.databaseUrl);
  const adminDir = options.adminDir === undefined ? await ensureAdminUi() : options.adminDir;
  const app = await loadApp(options.app);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  const applied = await applyMigrations({ db, dir: app.migrationsDir });
  const check = await checkMigrations({ db, ir: app.schema, dir: app.migrationsDir });
  if (check.drift.length > 0) {
    console.error(`schema.ts has changes no migration file contains; run: npm run tessera -- migrate --app ${options.app}`);
    await db.close();
    return 1;
  }
  const engine = new Engine({ schema: app.schema, db });
  let seeded: Awaited<ReturnType<NonNullable<typeof app.seed>>> | undefined;
  if (options.seed && app.seed && (await ensureTenant(engine, DEMO_TENANT))) {
    seeded = await app.seed(engine, { tenantId: DEMO_TENANT.id });
  }
  await engine.start();
  const { app: server, devIssuer } = await createApiServer({
    // Only a token-issuing dev issuer (no identity provider, not production) makes this take effect.
    engine,
    ir: app.schema,
    appName: app.name,
    dataDir: options.stateDir,
    issuer: config.issuer,
    oidcClient: config.oidcClient,
    tenantId: config.tenantId,
    roleSource: config.roleSource,
    provisioning: config.provisioning,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit,
    maxWriteRecords: config.maxWriteRecords,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    logger: { level: config.logLevel },
    realtime: config.realtime,
    ...(devSignIn.enabled ? { devSignInTenantId: config.tenantId ?? DEMO_TENANT.id } : {}),
    ...(adminDir ? { adminDir } : {}),
  });
  await server.listen({ port: options.port, host: options.host });
  const demoUsers = app.demoUsers;
  const devTenant = await engine.tenants.get(DEMO_TENANT.id);
  const admin = demoUsers.find((u) => u.role === "admin");
  const adminToken = devIssuer && admin?.id ? await devIssuer.issueDevToken({ sub: admin.id, roles: [admin.role], tenantId: DEMO_TENANT.id, expiresIn: "12h" }) : undefined;
  const url = `http://${options.host === "0.0.0.0" ? "localhost" : options.host}:${options.port}`;
  const where = db.kind === "pglite" ? `embedded PostgreSQL in ${options.dataDir}` : "PostgreSQL server (DATABASE_URL)";
  console.log(
    [
      ``,
      `Tessera ${app.name} is running at ${url}`,
      ...(adminDir ? [`  admin UI:   ${url}/  ${devSignIn.enabled && devIssuer ? (demoUsers.length > 0 ? "(sign in as a demo user below)" : "(sign in as a member of the tenant below, or with a token)") : "(sign in with a token or your identity provider)"}`] : []),
      ...(devIssuer ? [`  dev sign-in: ${devSignIn.reason}`] : []),
      `  database:   ${where}`,
      `  migrations: ${applied.applied.length} applied now`,
      // The tenant as registered: an app without demo data (tessera init --template blank) names its own.
      devTenant
        ? `  tenant:     ${devTenant.name} (${devTenant.id})${seeded ? ` — demo data seeded: ${Object.entries(seeded.counts).map(([m, n]) => `${n} ${m}`).join(", ")}` : ""}`
        : `  tenant:     none yet; the dev sign-in serves ${DEMO_TENANT.id} (tessera tenant create --id ${DEMO_TENANT.id} --name …)`,
      `  GraphQL:    ${url}/graphql${process.env.NODE_ENV === "production" ? "" : `  (GraphiQL: ${url}/graphiql)`}`,
      `  health:     ${url}/healthz   metrics: ${url}/metrics`,
      ...(demoUsers.length > 0 ? [`  demo users: ${demoUsers.map((u) => `${u.email} (${u.role})`).join(", ")}`] : []),
      ...(adminToken ? [`  admin token (12 h, ${admin!.email}):`, `    ${adminToken}`, `  more: npm run tessera -- token --sub <user id> --role sales --tenant ${DEMO_TENANT.id}`] : []),
      ``,
    ].join("\n"),
  );
  const shutdown = async (): Promise<void> => {
    // Stop taking requests and let in-flight ones finish, then stop event delivery.
    await server.close();
    await engine.stop();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
  return new Promise<number>(() => undefined);
}
