// `tessera init --template blank` as a newcomer uses it: the real executable (`npx tessera`, linked
// into node_modules/.bin by npm install) run from the repository root on an app folder OUTSIDE the
// repository, then every step init printed, run through the shell exactly as printed (only the port
// comes from PORT, which `start` reads, so the test does not collide with a running server). The
// server is then asked, with a dev token for an Auth0-style subject, to create and read a Note.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";

const REPO = join(import.meta.dirname, "../../..");
const base = mkdtempSync(join(tmpdir(), "tessera-blank-"));
// Typed as a user would from the repository root: a path leading out of it.
const appArg = join(relative(REPO, base), "my-app");
let server: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;
let started: ChildProcess | undefined;

/** The README's "Start a blank app" shell blocks, with its ../my-app as the test's app folder. */
function readmeBlocks(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Start a blank app"), readme.indexOf("\n## ", readme.indexOf("### Start a blank app")));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replaceAll("../my-app", appArg));
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One line through the shell, from the repository root. */
function sh(line: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], { cwd: REPO, env: { ...env, ...extraEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the printed `start` line in its own process group; resolves once it says it is running. */
function startServer(line: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], { cwd: REPO, env: { ...env, PORT: String(port) }, detached: true });
    started = child;
    let output = "";
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes("is running at")) resolve(output);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("close", (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  // A clean environment: none of the developer's deployment settings, and npx must never fetch a
  // package named tessera from the registry (npm_config_yes=false): only the linked bin may run.
  const { DATABASE_URL: _url, TESSERA_ROLE_SOURCE: _rs, OIDC_ISSUER: _iss, TENANT_ID: _tenant, PORT: _port, TESSERA_DATA_DIR: _dir, ...rest } = process.env;
  env = { ...rest, npm_config_yes: "false", LOG_LEVEL: "warn" };
  if (process.env.DATABASE_URL) {
    // Its own pool stays open until drop(), which closes it (closing it twice would skip the DROP).
    server = await createTestDatabase();
    env.DATABASE_URL = server.url!;
  }
});

afterAll(async () => {
  if (started?.pid !== undefined && started.exitCode === null) {
    const exited = new Promise((resolve) => started!.once("close", resolve));
    process.kill(-started.pid, "SIGTERM");
    await exited;
  }
  rmSync(base, { recursive: true, force: true });
  await server?.drop().catch(() => undefined);
});

describe("npx tessera init <dir outside the repository> --template blank, then the printed steps", () => {
  let printed: string[] = [];

  it("is the linked executable: npx tessera --help lists every command", async () => {
    expect(existsSync(join(REPO, "node_modules", ".bin", "tessera")), "node_modules/.bin/tessera is missing: run npm install").toBe(true);
    const help = await sh("npx tessera --help");
    expect(help.code).toBe(0);
    for (const command of ["init <dir> [--template crm|blank]", "user list", "user add", "member add", "member remove", "tenant list", "tenant link", "tenant unlink", "token"]) {
      expect(help.stdout).toContain(`tessera ${command}`);
    }
  });

  it("creates the app: one example model, no identity models of its own, and prints the next steps", async () => {
    const init = await sh(`npx tessera init ${appArg} --template blank`);
    expect(init.code, init.stderr).toBe(0);
    const dir = join(base, "my-app");
    expect(readdirSync(dir).sort()).toEqual([".gitignore", "package.json", "schema.ts"]);
    const schema = readFileSync(join(dir, "schema.ts"), "utf8");
    expect(schema).toContain("Note: model(");
    expect(schema).not.toMatch(/\b(User|Team|Membership): model\(/);
    printed = init.stdout.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.trim());
    expect(printed).toEqual([
      `npx tessera migrate --app ${appArg} --data-dir ${appArg}/.tessera/data`,
      `npx tessera tenant create --id 00000000-0000-4000-8000-000000000001 --name my-app --app ${appArg} --data-dir ${appArg}/.tessera/data`,
      `TESSERA_ROLE_SOURCE=token npx tessera start --app ${appArg} --data-dir ${appArg}/.tessera/data`,
      `npx tessera token --sub 'auth0|abc' --role member --tenant 00000000-0000-4000-8000-000000000001 --data-dir ${appArg}/.tessera/data`,
    ]);
  });

  it("migrates, creates the tenant, serves, and a dev token for auth0|abc creates and reads a Note", async () => {
    const [migrate, tenant, start, token] = printed;
    const migrated = await sh(migrate);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/wrote .*0001_init\.sql[\s\S]*applied 0001_init/);
    const sql = readFileSync(join(base, "my-app", "migrations", "0001_init.sql"), "utf8");
    // The platform's identity tables come with the app's own.
    for (const table of ["notes", "users", "memberships"]) expect(sql).toContain(`CREATE TABLE "${table}"`);

    const created = await sh(tenant);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe("00000000-0000-4000-8000-000000000001");

    const port = await freePort();
    const banner = await startServer(start, port);
    expect(banner).toContain("tenant:     my-app (00000000-0000-4000-8000-000000000001)");
    const url = `http://127.0.0.1:${port}`;

    const issued = await sh(token);
    expect(issued.code, issued.stderr).toBe(0);
    const bearer = issued.stdout.trim();
    const headers = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };

    // The user is created on first use; its id is what ownerId takes.
    const session = (await (await fetch(`${url}/auth/session`, { headers })).json()) as { user: { id: string; roles: string[] }; tenantId: string };
    expect(session).toMatchObject({ user: { roles: ["member"] }, tenantId: "00000000-0000-4000-8000-000000000001" });
    const gql = async (query: string, variables: Record<string, unknown> = {}) =>
      (await (await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) })).json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    const made = await gql(`mutation ($owner: ID!) { createNote(data: { title: "First note", ownerId: $owner }) { id title owner { id } } }`, { owner: session.user.id });
    expect(made.errors, JSON.stringify(made)).toBeUndefined();
    expect(made.data?.createNote).toMatchObject({ title: "First note", owner: { id: session.user.id } });
    // Without an owner, the note is its creator's (the template's default: "$principal.sub").
    const mine = await gql(`mutation { createNote(data: { title: "Second note" }) { owner { id } } }`);
    expect(mine).toEqual({ data: { createNote: { owner: { id: session.user.id } } } });
    const read = await gql(`{ notes(orderBy: title_ASC) { title owner { id } } }`);
    expect(read).toEqual({ data: { notes: [{ title: "First note", owner: { id: session.user.id } }, { title: "Second note", owner: { id: session.user.id } }] } });

    // The admin UI is schema-driven: /api/meta describes the blank app's model, / serves the UI.
    const meta = (await (await fetch(`${url}/api/meta`, { headers })).json()) as { models: { name: string }[] };
    expect(meta.models.map((m) => m.name)).toContain("Note");
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<div id="root">');

    // The README's quick start is these same steps, and its requests work as written.
    const [steps, requests] = readmeBlocks();
    expect(steps.trim().split("\n")).toEqual([`npx tessera init ${appArg} --template blank`, migrate, tenant, start]);
    expect(requests.split("\n")[0]).toBe(`TOKEN=$(${token})`);
    const readme = await sh(requests.replaceAll("127.0.0.1:4000", `127.0.0.1:${port}`));
    expect(readme.code, readme.stderr).toBe(0);
    expect(readme.stdout).toContain(`{"data":{"createNote":{"title":"Hello"}}}`);
    expect(readme.stdout).toContain(`{"title":"Hello","owner":{"id":"${session.user.id}"}}`);
  });
});
