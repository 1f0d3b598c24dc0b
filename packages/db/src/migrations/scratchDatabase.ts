// The empty database migration files are replayed into to plan the next file. Always a fresh
// in-memory PGlite, never the live database, so the plan depends only on the schema and the files.
// Creating PGlite costs seconds while cloning an empty one costs a fraction, so one empty
// template is kept per process and cloned; it is closed again after a short idle time so a
// long-running server does not keep its memory (~300 MB) around.
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import type { Database } from "../Database.ts";
import { wrapPglite } from "../pgliteDriver.ts";

const IDLE_MS = 30_000;

let template: Promise<PGlite> | undefined;
let cloning: Promise<unknown> = Promise.resolve();
let active = 0;
let idleTimer: NodeJS.Timeout | undefined;

function getTemplate(): Promise<PGlite> {
  if (!template) {
    const created = PGlite.create({ extensions: { pg_trgm, unaccent } });
    template = created;
    // A failed start must not poison every later call.
    created.catch(() => {
      if (template === created) template = undefined;
    });
  }
  return template;
}

function scheduleRelease(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (active > 0 || !template) return;
    const closing = template;
    template = undefined;
    void closing.then((pg) => pg.close()).catch(() => undefined);
  }, IDLE_MS);
  // Never keep a CLI process alive just to close the template.
  idleTimer.unref();
}

/** A fresh, empty database with the search extensions available. Close it when done. */
export async function openScratchDatabase(appRole?: string): Promise<Database> {
  clearTimeout(idleTimer);
  active++;
  try {
    // Clones are taken one at a time: each dumps the template's data directory.
    const next = cloning.then(async () => (await getTemplate()).clone());
    cloning = next.catch(() => undefined);
    const db = wrapPglite((await next) as PGlite, appRole);
    const close = db.close.bind(db);
    return Object.assign(db, {
      close: async () => {
        try {
          await close();
        } finally {
          active--;
          scheduleRelease();
        }
      },
    });
  } catch (error) {
    active--;
    scheduleRelease();
    throw error;
  }
}
