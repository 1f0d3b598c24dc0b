// The built admin UI for the servers under test. `ensureAdminUi` rebuilds apps/admin/dist when its
// sources are newer; test files run in parallel workers, so the check-and-build runs under a lock
// (a directory, created atomically) or two builds would empty each other's output folder.
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureAdminUi } from "../../packages/cli/src/adminUi.ts";

const LOCK = join(process.cwd(), ".tessera", "admin-ui-build.lock");
/** A lock left by a killed run is older than any real build. */
const ABANDONED_AFTER_MS = 5 * 60_000;

async function acquire(): Promise<void> {
  mkdirSync(join(LOCK, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > ABANDONED_AFTER_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(200);
    }
  }
}

export async function builtAdminUi(): Promise<string> {
  await acquire();
  try {
    const dir = await ensureAdminUi(() => undefined);
    if (!dir) throw new Error("apps/admin is missing: the browser tests need the admin UI");
    return dir;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
