// Chromium driven by playwright-core: one browser per test file, a clean page per test. Which
// Chromium: CHROMIUM_PATH when set, else Debian's /usr/bin/chromium when installed, else the one the
// @sparticuz/chromium devDependency ships inside its npm package (unpacked into the temp folder on
// first use), so `npm install && npm test` runs the browser tests on a machine with no system browser.
// The browser runs with a persistent profile in a fresh temporary folder; between tests every page is
// closed and the app's origin storage and cookies are wiped, so no test inherits a sign-in.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";
/** An explicitly chosen browser: it must exist (a wrong path is an error, never a silent fallback). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH;

/** The flags that keep Chromium quiet and sandbox-free in a container (see docs/STACK.md). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** How long a locator action or wait may take before the test fails (a hang guard, not a speed target). */
export const ACTION_TIMEOUT_MS = 30_000;

export class ChromiumMissingError extends Error {
  constructor(path: string) {
    super(`CHROMIUM_PATH names ${path}, which does not exist. Unset it to use /usr/bin/chromium or the Chromium of the @sparticuz/chromium package. The browser tests fail rather than skip, so a missing browser is never mistaken for a pass.`);
  }
}

interface ChromiumBinary {
  executablePath: string;
  args: string[];
}

/** The browser to launch and the flags it needs (see the header comment for the order of choice). */
export async function resolveChromium(): Promise<ChromiumBinary> {
  if (CHROMIUM_PATH !== undefined && CHROMIUM_PATH !== "") {
    if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
    return { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: CHROMIUM_ARGS };
  const packaged = (await import("@sparticuz/chromium")).default;
  // Test files run in parallel workers, and the package unpacks to one fixed temp path: one worker
  // unpacks, the others wait, then find it there.
  const executablePath = await whileLocked(join(tmpdir(), "tessera-chromium-unpack.lock"), () => packaged.executablePath());
  // The package's flags are tuned for serverless hosts; ours keep it headless, sandbox-free and quiet.
  return { executablePath, args: [...new Set([...packaged.args, ...CHROMIUM_ARGS])] };
}

/** Runs `work` holding a lock directory shared by processes; a lock older than two minutes is stale. */
async function whileLocked<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Browser {
  context: BrowserContext;
  /** A new page at `url`, after closing the previous test's pages. */
  open(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Closes every page and wipes the storage of `origin`. */
  reset(origin: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const binary = await resolveChromium();
  const profile = mkdtempSync(join(tmpdir(), "tessera-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: binary.executablePath,
    headless: true,
    args: binary.args,
    viewport: options.viewport ?? { width: 1280, height: 860 },
    locale: "en-GB",
    timezoneId: "Europe/Berlin",
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);

  const reset = async (origin: string): Promise<void> => {
    const pages = context.pages();
    const page = pages[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await cdp.send("Storage.clearDataForOrigin", { origin, storageTypes: "all" });
    await cdp.detach();
    await context.clearCookies();
    for (const p of context.pages()) await p.close();
  };

  return {
    context,
    async open(url, viewport) {
      const page = await context.newPage();
      for (const p of context.pages()) if (p !== page) await p.close();
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(url);
      return page;
    },
    reset,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
