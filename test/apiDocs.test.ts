// Executes every shell example of docs/API.md against a real API server with the CRM demo data,
// so the document cannot rot. Annotations before a block: `<!-- setup -->` (checked, not run: it
// names the default URL), `<!-- expect-status: N -->`, `<!-- expect-error: CODE -->`,
// `<!-- expect-contains: A | B -->` (the output holds each text; for non-GraphQL answers).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { Engine, systemContext } from "@tessera/engine";
import { createApiServer } from "@tessera/server";
import { seed, demoUsers } from "@tessera/crm/seed";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const run = promisify(execFile);
const TENANT = "00000000-0000-4000-8000-000000000001";

interface Example {
  index: number;
  annotation: string | undefined;
  code: string;
}

function examples(markdown: string): Example[] {
  const found: Example[] = [];
  const block = /(?:<!-- ([^>]*?) -->\n)?```sh\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(block)) found.push({ index: found.length + 1, annotation: match[1], code: match[2] });
  return found;
}

let crm: CrmDatabase;
let app: FastifyInstance;
let stateDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  const engine = new Engine({ schema: crm.schema, db: crm.db });
  await seed(engine, { tenantId: TENANT });
  stateDir = mkdtempSync(join(tmpdir(), "tessera-apidocs-"));
  const server = await createApiServer({ engine, ir: crm.schema, appName: "crm", dataDir: stateDir, logger: false, devSignInTenantId: TENANT });
  app = server.app;
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const ana = demoUsers.find((u) => u.role === "admin")!;
  const token = await server.devIssuer!.issueDevToken({ sub: ana.id, roles: ["admin"], tenantId: TENANT });
  env = { ...process.env, TESSERA_URL: `http://127.0.0.1:${port}`, TENANT, TOKEN: token, TESSERA_DATA_DIR: join(stateDir, "data") };
  void systemContext;
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const markdown = readFileSync(join(process.cwd(), "docs", "API.md"), "utf8");

describe("docs/API.md", () => {
  it("has examples", () => {
    expect(examples(markdown).length).toBeGreaterThan(10);
  });

  for (const example of examples(markdown)) {
    it(`example ${example.index} works as documented: ${example.code.split("\n")[0].slice(0, 70)}`, async () => {
      if (example.annotation === "setup") {
        expect(example.code).toContain(`TENANT=${TENANT}`);
        return;
      }
      const { stdout } = await run("bash", ["-euo", "pipefail", "-c", example.code], { env, cwd: process.cwd(), timeout: 60_000 });
      const out = stdout.trim();
      const status = /^expect-status: (\d+)$/.exec(example.annotation ?? "");
      if (status) {
        expect(out).toBe(status[1]);
        return;
      }
      const contains = /^expect-contains: (.+)$/.exec(example.annotation ?? "");
      if (contains) {
        for (const text of contains[1].split(" | ")) expect(out).toContain(text);
        return;
      }
      const responses = out.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { data?: unknown; errors?: { extensions?: { code?: string } }[] });
      const expectedError = /^expect-error: (\w+)$/.exec(example.annotation ?? "");
      if (expectedError) {
        expect(responses.at(-1)?.errors?.[0]?.extensions?.code).toBe(expectedError[1]);
        return;
      }
      if (responses.length === 0) {
        // Non-JSON output (the token example prints the JWT header).
        expect(out).toMatch(/^eyJ/);
        return;
      }
      for (const response of responses) {
        expect(response.errors).toBeUndefined();
        expect(response.data).toBeTruthy();
      }
    });
  }
});
