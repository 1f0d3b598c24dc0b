// Debian's Chromium driven by playwright-core: one browser per test file, a clean page per test.
// The browser runs with a persistent profile in a fresh temporary folder (the launch mode known to
// work with the distribution's build); between tests every page is closed and the app's origin
// storage (the session in localStorage, saved views) is wiped, so no test inherits a sign-in.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

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
    super(
      `Chromium is not installed at ${path}. The browser tests need Debian's chromium: ` +
        `apt-get install -y chromium (or set CHROMIUM_PATH). They fail rather than skip, so a missing browser is never mistaken for a pass.`,
    );
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
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
  const profile = mkdtempSync(join(tmpdir(), "tessera-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
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
