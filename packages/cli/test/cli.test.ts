// The `tessera` command driven in-process, as a developer uses it: init, migrate, --check, codegen.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main, generateTypes } from "@tessera/cli";
import { schema } from "@tessera/crm";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";

// Inside the repo so the copied schema.ts resolves @tessera/schema from node_modules; git-ignored.
const root = join(process.cwd(), ".tessera", "test-apps", randomBytes(4).toString("hex"));
const appDir = join(root, "app");
let server: TestDatabase | undefined;
let dbArgs: string[];
const extraDatabases: TestDatabase[] = [];

/** A database of its own, for a test that must not see another test's migrations. */
async function freshDbArgs(name: string): Promise<string[]> {
  if (!process.env.DATABASE_URL) return ["--data-dir", join(root, `data-${name}`)];
  // Its own pool stays open until drop(), which closes it (closing it twice would skip the DROP).
  const db = await createTestDatabase();
  extraDatabases.push(db);
  return ["--database-url", db.url!];
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  if (process.env.DATABASE_URL) {
    // Its own pool stays open until drop(), which closes it (closing it twice would skip the DROP).
    server = await createTestDatabase();
    dbArgs = ["--database-url", server.url!];
  } else {
    dbArgs = ["--data-dir", join(root, "data")];
  }
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await server?.drop().catch(() => undefined);
  for (const db of extraDatabases) await db.drop().catch(() => undefined);
});

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, out: lines.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe("tessera init / migrate / --check", () => {
  it("creates an app from the crm template, applies its migrations and reports drift after a schema edit", async () => {
    const init = await run("init", appDir, "--template", "crm");
    expect(init.code).toBe(0);
    expect(init.out).toContain(`  npx tessera migrate --app ${appDir} --data-dir ${appDir}/.tessera/data\n  npx tessera start --app ${appDir} --data-dir ${appDir}/.tessera/data`);
    const templateFiles = readdirSync(join(process.cwd(), "apps", "crm", "migrations")).sort();
    expect(readdirSync(join(appDir, "migrations")).sort()).toEqual(templateFiles);
    const next = `${String(templateFiles.length + 1).padStart(4, "0")}_auto`;

    const pending = await run("migrate", "--check", "--app", appDir, ...dbArgs);
    expect(pending.code).toBe(1);
    expect(pending.out).toMatch(/not applied.*\n.*0001_init/);

    expect((await run("migrate", "--app", appDir, ...dbArgs)).out).toMatch(/applied 0001_init/);
    expect((await run("migrate", "--check", "--app", appDir, ...dbArgs)).code).toBe(0);
    // Running migrate again produces nothing.
    expect((await run("migrate", "--app", appDir, ...dbArgs)).out).toMatch(/nothing to apply/);
    expect(readdirSync(join(appDir, "migrations")).sort()).toEqual(templateFiles);

    const schemaFile = join(appDir, "schema.ts");
    const source = readFileSync(schemaFile, "utf8");
    const edited = source.replace("jobTitle: f.string().max(120),", "jobTitle: f.string().max(120),\n        nickname: f.string().max(40),");
    expect(edited).not.toBe(source);
    writeFileSync(schemaFile, edited);

    const drift = await run("migrate", "--check", "--app", appDir, ...dbArgs);
    expect(drift.code).toBe(1);
    expect(drift.out).toContain(`ALTER TABLE "contacts" ADD COLUMN "nickname" text;`);

    expect((await run("migrate", "--app", appDir, ...dbArgs)).out).toMatch(new RegExp(`wrote .*${next}\\.sql[\\s\\S]*applied ${next}`));
    const second = readFileSync(join(appDir, "migrations", `${next}.sql`), "utf8");
    expect(second.split("\n").filter((l) => l && !l.startsWith("--"))).toEqual([`ALTER TABLE "contacts" ADD COLUMN "nickname" text;`]);
    expect((await run("migrate", "--check", "--app", appDir, ...dbArgs)).code).toBe(0);
  });

  it("answers an unknown command or option with a usage error", async () => {
    await expect(main(["frobnicate"])).rejects.toThrow(/unknown command/);
    await expect(main(["migrate", "--bogus"])).rejects.toThrow(/bogus/);
  });

  it("refuses an unknown template naming --template, and a folder that is not empty", async () => {
    expect(await run("init", join(root, "other"), "--template", "erp")).toEqual({ code: 2, out: "--template: unknown template 'erp' (available: crm, blank)" });
    expect(await run("init", appDir, "--template", "blank")).toEqual({ code: 1, out: `${appDir} is not empty; choose a new folder` });
  });
});

describe("tessera codegen", () => {
  it("generates the same, valid TypeScript every time", () => {
    const first = generateTypes(schema.ir);
    expect(generateTypes(schema.ir)).toBe(first);
    expect(first).toContain("export interface Deal {");
    expect(first).toMatch(/ {2}stage: DealStage;/);
    expect(first).toMatch(/ {2}value: string \| null;/);
    expect(first).toContain(`export type DealStage = "lead" | "qualified" | "proposal" | "negotiation" | "won" | "lost";`);
    const result = ts.transpileModule(first, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext } });
    expect(result.diagnostics).toEqual([]);
  });
});

describe("tessera permissions", () => {
  it("lists every model × action permission with its roles as JSON", async () => {
    const { code, out } = await run("permissions", "--json", "--app", join(process.cwd(), "apps", "crm"));
    expect(code).toBe(0);
    const list = JSON.parse(out) as { name: string; roles: string[] }[];
    expect(list).toHaveLength(schema.ir.models.length * 4);
    expect(list.find((p) => p.name === "crm.deal.delete")?.roles).toEqual(["admin", "manager"]);
    expect(list.find((p) => p.name === "crm.deal.create")?.roles).toEqual(["admin", "manager", "sales"]);
  });
});

describe("tessera apikey", () => {
  it("creates a key printed once, lists it without the secret, and revokes it", async () => {
    const tenant = "2a000000-0000-4000-8000-00000000000a";
    const crmApp = join(process.cwd(), "apps", "crm");
    const dbArgs = await freshDbArgs("apikey");
    const missing = await run("apikey", "create", "--tenant", tenant, "--name", "etl", "--app", crmApp, ...dbArgs);
    expect(missing).toMatchObject({ code: 1, out: expect.stringContaining(`no tenant ${tenant}`) });
    expect((await run("tenant", "create", "--id", tenant, "--name", "Acme", "--app", crmApp, ...dbArgs)).code).toBe(0);
    const created = await run("apikey", "create", "--tenant", tenant, "--name", "etl", "--role", "viewer", "--app", crmApp, ...dbArgs);
    expect(created.code).toBe(0);
    const key = created.out.split("\n")[0];
    expect(key).toMatch(/^tsk_[0-9a-f]+_[0-9a-f]{64}$/);
    const listed = await run("apikey", "list", "--tenant", tenant, "--app", crmApp, ...dbArgs);
    const records = JSON.parse(listed.out.slice(0, listed.out.lastIndexOf("]") + 1)) as { id: string; name: string; roles: string[] }[];
    expect(records).toMatchObject([{ name: "etl", roles: ["viewer"] }]);
    expect(listed.out).not.toContain(key.split("_")[2]);
    expect((await run("apikey", "revoke", "--tenant", tenant, "--id", records[0].id, "--app", crmApp, ...dbArgs)).code).toBe(0);
    expect((await run("apikey", "revoke", "--tenant", tenant, "--id", records[0].id, "--app", crmApp, ...dbArgs)).code).toBe(1);
  });
});
