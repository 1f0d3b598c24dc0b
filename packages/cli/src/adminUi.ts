// Finds the admin UI (apps/admin next to the packages) and builds it when its dist/ is missing or
// older than its sources, so `npm start` from a fresh clone serves the UI without a separate step.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ADMIN_ROOT = resolve(fileURLToPath(new URL("../../../apps/admin", import.meta.url)));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The built UI's folder, building it first when stale; null when the repo has no admin app. */
export async function ensureAdminUi(log: (line: string) => void = console.log): Promise<string | null> {
  if (!existsSync(join(ADMIN_ROOT, "index.html"))) return null;
  const dist = join(ADMIN_ROOT, "dist");
  const index = join(dist, "index.html");
  const sources = Math.max(newestMtime(join(ADMIN_ROOT, "src")), statSync(join(ADMIN_ROOT, "index.html")).mtimeMs, statSync(join(ADMIN_ROOT, "vite.config.ts")).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return dist;
  log("Building the admin UI (apps/admin) …");
  const { build } = await import("vite");
  // Vite sets NODE_ENV=production in this process when it is unset; the server started next must not
  // inherit it, or it would switch the dev issuer (and the dev sign-in) off.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({ configFile: join(ADMIN_ROOT, "vite.config.ts"), logLevel: "warn" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return dist;
}
