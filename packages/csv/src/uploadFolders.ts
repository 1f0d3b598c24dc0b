// Where a process keeps CSV uploads and error reports: ONE folder per process life,
// `<workDir>/tessera-imports-<host>.<pid>.<random>` (mkdtemp: mode 0700, a fresh name each time).
// A node that crashed (kill -9, OOM) never ran its cleanup, so a registry opening removes the folders
// whose owner is gone: same host and a pid that no longer runs, or this very pid (a restarted
// container is pid 1 again) when no registry of this process opened it. Folders of live processes
// (several nodes on one machine), of other hosts (a shared volume: their pids mean nothing here) and
// of other users are never touched.
import { lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";

const PREFIX = "tessera-imports-";
const FOLDER = /^tessera-imports-([A-Za-z0-9_-]+)\.(\d+)\.[A-Za-z0-9]{6}$/;

/** Folders of the registries open in this process: they carry our own pid but are alive. */
const openHere = new Set<string>();

/** The host name as it can appear in the folder name (dots separate the parts). */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9-]/g, "_") || "host";
}

/** Creates this life's folder in `workDir` (mode 0700). */
export async function createLifeFolder(workDir: string): Promise<string> {
  const dir = await mkdtemp(join(resolve(workDir), `${PREFIX}${hostTag()}.${process.pid}.`));
  openHere.add(dir);
  return dir;
}

/** Removes a folder made by createLifeFolder, with everything in it. */
export async function removeLifeFolder(dir: string): Promise<void> {
  openHere.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Removes the folders in `workDir` left by processes of this host that are gone; returns their paths. */
export async function removeAbandonedFolders(workDir: string): Promise<string[]> {
  const root = resolve(workDir);
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const match = FOLDER.exec(name);
    if (!match || match[1] !== hostTag()) continue;
    const path = join(root, name);
    if (openHere.has(path)) continue;
    const pid = Number(match[2]);
    // Our own pid on a folder no registry of ours opened: a previous life that had the same pid.
    if (pid !== process.pid && processRuns(pid)) continue;
    // Only real folders of our own user: never follow a link planted in a shared temp folder.
    const stat = await lstat(path).catch(() => undefined);
    if (!stat?.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

function processRuns(pid: number): boolean {
  if (pid <= 0) return true; // kill(0) would signal our own process group: never read it as "gone"
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user. Only ESRCH means no such process.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
