// The dependency-boundary check (`npm run deps`, .dependency-cruiser.cjs) passes on the real tree and
// bites on bad imports: a scratch tree with the real config, the real workspace package.json files, one
// empty file per `exports` entry, node_modules/@tessera links, and one file per kind of violation.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

interface Outcome {
  code: number;
  /** "rule-name from → to" per violation. */
  violations: string[];
  output: string;
}

async function depcruise(cwd: string): Promise<Outcome> {
  const args = [DEPCRUISE, "packages", "apps", "--config", ".dependency-cruiser.cjs", "--output-type", "err"];
  try {
    const { stdout } = await run(process.execPath, args, { cwd });
    return { code: 0, violations: [], output: stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    const violations = [...stdout.matchAll(/^\s*error (\S+): (\S+) → (\S+)/gm)].map((m) => `${m[1]} ${m[2]} → ${m[3]}`);
    return { code, violations, output: stdout + stderr };
  }
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** Bad (and good) imports, each in its own file: file → source, and the rules it must break. */
const CASES: Array<{ file: string; source: string; rules: string[] }> = [
  // A package imports a package above it: the layer and the missing declaration both say so.
  { file: "packages/engine/src/up.ts", source: `import "@tessera/graphql";`, rules: ["layer-engine", "declared-packages-engine"] },
  { file: "packages/db/src/migrations/up.ts", source: `import "@tessera/engine";`, rules: ["layer-db", "declared-packages-db"] },
  { file: "packages/schema/src/up.ts", source: `import "@tessera/db";`, rules: ["layer-schema", "declared-packages-schema"] },
  // Siblings in the middle layer do not import each other (csv → auth is the one allowed edge).
  { file: "packages/graphql/src/sibling.ts", source: `import "@tessera/realtime";`, rules: ["layer-graphql", "declared-packages-graphql"] },
  { file: "packages/auth/src/sibling.ts", source: `import "@tessera/csv";`, rules: ["layer-auth", "declared-packages-auth"] },
  // A package never imports an app.
  { file: "packages/cli/src/app.ts", source: `import "@tessera/crm";`, rules: ["layer-cli", "declared-packages-cli"] },
  // Allowed by the layers (db is below graphql) but not declared in packages/graphql/package.json.
  { file: "packages/graphql/src/undeclared.ts", source: `import "@tessera/db";`, rules: ["declared-packages-graphql"] },
  // Another package's files by relative path, around its `exports` (server may use engine, by name).
  { file: "packages/server/src/relative.ts", source: `import "../../engine/src/index.ts";`, rules: ["workspace-by-name"] },
  // Apps use packages, not each other; the browser app imports only browser entry points at run time.
  { file: "apps/admin/src/other.ts", source: `import "@tessera/crm";`, rules: ["apps-not-each-other", "declared-apps-admin"] },
  { file: "apps/admin/src/runtime.ts", source: `import { x } from "@tessera/graphql";\nexport const y = x;`, rules: ["admin-browser-entry-points"] },
  { file: "packages/db/src/usesTest.ts", source: `import "../test/helper.ts";`, rules: ["no-test-code-in-production"] },
  { file: "packages/server/src/missing.ts", source: `import "@tessera/nope";`, rules: ["workspace-import-resolves"] },
  // Good: declared downward imports, type-only and browser entry points from the admin, tests composing upward.
  { file: "packages/csv/src/good.ts", source: `import "@tessera/auth";\nimport "@tessera/engine";`, rules: [] },
  { file: "packages/server/src/good.ts", source: `import "@tessera/csv";\nimport "@tessera/schema";`, rules: [] },
  {
    file: "apps/admin/src/good.ts",
    source: `import type { T } from "@tessera/graphql";\nimport { C } from "@tessera/realtime/client";\nimport { U } from "@tessera/schema/uuid";\nexport type X = T;\nexport const z = [C, U];`,
    rules: [],
  },
  { file: "packages/csv/test/integration.test.ts", source: `import "@tessera/server";\nimport "@tessera/crm";`, rules: [] },
  { file: "packages/db/test/helper.ts", source: `export {};`, rules: [] },
];

describe("dependency boundaries", () => {
  let scratch: string;
  let outcome: Outcome;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "tessera-deps-"));
    copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(scratch, ".dependency-cruiser.cjs"));
    for (const parent of ["packages", "apps"]) {
      for (const dir of readdirSync(join(ROOT, parent))) {
        const manifest = readFileSync(join(ROOT, parent, dir, "package.json"), "utf8");
        const pkg = JSON.parse(manifest) as { name: string; exports?: Record<string, string> };
        write(scratch, `${parent}/${dir}/package.json`, manifest);
        for (const target of Object.values(pkg.exports ?? {})) write(scratch, join(parent, dir, target), "export {};\n");
        mkdirSync(join(scratch, "node_modules/@tessera"), { recursive: true });
        symlinkSync(join(scratch, parent, dir), join(scratch, "node_modules", pkg.name));
      }
    }
    for (const { file, source } of CASES) write(scratch, file, source + "\n");
    outcome = await depcruise(scratch);
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("passes on the real tree", async () => {
    const real = await depcruise(ROOT);
    expect(real.output).toContain("no dependency violations found");
    expect(real.code).toBe(0);
  });

  it("fails on bad imports, each with its rule, and lets the good ones through", () => {
    expect(outcome.code, outcome.output).not.toBe(0);
    for (const { file, rules } of CASES) {
      const found = outcome.violations.filter((v) => v.split(" ")[1] === file).map((v) => v.split(" ")[0]);
      expect([...new Set(found)].sort(), `${file}\n${outcome.output}`).toEqual([...rules].sort());
    }
    const expected = new Set(CASES.map((c) => c.file));
    expect(outcome.violations.filter((v) => !expected.has(v.split(" ")[1]))).toEqual([]);
  });

  it("resolves workspace imports to the workspace files (else no rule could match)", async () => {
    // The same config on the real tree: server's import of @tessera/csv must land in packages/csv.
    const { stdout } = await run(
      process.execPath,
      [DEPCRUISE, "packages/server/src/createApiServer.ts", "--config", ".dependency-cruiser.cjs", "--output-type", "json", "--max-depth", "1"],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as { modules: Array<{ source: string; dependencies: Array<{ module: string; resolved: string }> }> };
    const server = result.modules.find((m) => m.source === "packages/server/src/createApiServer.ts");
    expect(server?.dependencies.find((d) => d.module === "@tessera/csv")?.resolved).toBe("packages/csv/src/index.ts");
  });
});
