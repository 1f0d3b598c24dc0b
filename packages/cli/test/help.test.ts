// Every command and subcommand prints its usage with --help (exit 0, nothing else done), the
// overview lists every command, and the executable turns a usage error into exit 2 with the flag named.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "@tessera/cli";
import { runCli } from "../src/main.ts";
import { COMMANDS } from "../src/usage.ts";

const BIN = join(import.meta.dirname, "..", "bin", "tessera.mjs");

async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    return { code: await run(), stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("tessera --help", () => {
  it("lists every command and subcommand", async () => {
    const { code, stdout } = await capture(() => main(["--help"]));
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toContain(`  tessera ${command.name} ${command.args}\n`);
    expect(COMMANDS.map((c) => c.name)).toEqual(expect.arrayContaining(["user list", "user add", "member add", "member remove", "tenant list", "tenant link", "tenant unlink", "init"]));
  });

  it.each(COMMANDS.map((c) => c.name))("tessera %s --help prints its usage and does nothing else", async (name) => {
    // No --app: a command that ran would fail to find schema.ts in the current folder.
    const { code, stdout } = await capture(() => main([...name.split(" "), "--help"]));
    expect(code).toBe(0);
    expect(stdout.startsWith(`Usage: tessera ${name} `)).toBe(true);
    expect(stdout).toContain("--data-dir DIR");
  });

  it.each(["tenant", "user", "member", "apikey"])("tessera %s --help lists its subcommands", async (group) => {
    const { code, stdout } = await capture(() => main([group, "--help"]));
    expect(code).toBe(0);
    const subs = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
    expect(stdout.split("\n")[0]).toBe(`Usage: tessera ${group} <${subs.map((c) => c.name.split(" ")[1]).join("|")}> [options]`);
    for (const sub of subs) expect(stdout).toContain(`tessera ${sub.name} ${sub.args}`);
  });

  it("answers -h, `help <command>` and serve (start's alias) too", async () => {
    expect((await capture(() => main(["user", "add", "-h"]))).stdout).toMatch(/^Usage: tessera user add --email E/);
    expect((await capture(() => main(["help", "member", "remove"]))).stdout).toMatch(/^Usage: tessera member remove --tenant T/);
    expect((await capture(() => main(["serve", "--help"]))).stdout).toMatch(/^Usage: tessera start /);
    await expect(main(["help", "frobnicate"])).rejects.toThrow("unknown command 'frobnicate'");
  });

  it("prints a usage error with the command's own usage and exits 2", async () => {
    const missing = await capture(() => runCli(["member", "add", "--tenant", "4a000000-0000-4000-8000-000000000001", "--email", "a@example.com"]));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^member add needs --role\n\nUsage: tessera member add /);
    const unknownSub = await capture(() => runCli(["user", "remove"]));
    expect(unknownSub).toMatchObject({ code: 2, stderr: expect.stringContaining("user takes list, add, not 'remove'") });
  });
});

describe("the executable (bin/tessera.mjs)", () => {
  it("runs the CLI from source with tsx: --help exits 0, a bad flag value exits 2 naming the flag", () => {
    const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("tessera member add --tenant T (--user ID | --email E) --role R [--team ID]");
    const bad = spawnSync(process.execPath, [BIN, "tenant", "link", "--issuer", "i", "--external-id", "x", "--tenant", "acme"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--tenant takes an id (a UUID), got 'acme'");
  });
});
