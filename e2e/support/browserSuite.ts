// The fixture every browser test file uses: one server with demo data and one Chromium for the
// file, a clean page for each test. A test fails on any uncaught error in the page, and a failing
// test leaves a screenshot in test-results/e2e/ to look at.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, type Browser } from "./chromium.ts";
import { startCrm, type CrmServer, type StartCrmOptions } from "./crmServer.ts";

const FAILURE_SHOTS = join(process.cwd(), "test-results", "e2e");

export interface BrowserSuite {
  /** The server under test (throws before `beforeAll` ran). */
  readonly crm: CrmServer;
  /** A clean page (no session) at `path` of the server. */
  page(path?: string, viewport?: { width: number; height: number }): Promise<Page>;
}

export function browserSuite(options: StartCrmOptions | (() => Promise<StartCrmOptions>) = {}): BrowserSuite {
  let crm: CrmServer | undefined;
  let browser: Browser | undefined;
  let pageErrors: string[] = [];

  const saveFailureShot = async (testName: string): Promise<void> => {
    const page = browser?.context.pages().at(-1);
    if (!page) return;
    mkdirSync(FAILURE_SHOTS, { recursive: true });
    const name = testName.replace(/[^\w-]+/g, "_").slice(0, 100);
    await page.screenshot({ path: join(FAILURE_SHOTS, `${name}.png`), fullPage: true }).catch(() => undefined);
  };

  beforeAll(async () => {
    // Start both at once: the server's database and seed and the browser's launch overlap.
    const launching = launchChromium();
    const starting = (async () => startCrm(typeof options === "function" ? await options() : options))();
    const [b, c] = await Promise.allSettled([launching, starting]);
    if (b.status === "fulfilled") browser = b.value;
    if (c.status === "fulfilled") crm = c.value;
    if (b.status === "rejected") throw b.reason;
    if (c.status === "rejected") throw c.reason;
  });

  afterEach(async ({ task }) => {
    const errors = pageErrors;
    pageErrors = [];
    if (task.result?.state === "fail") await saveFailureShot(task.name);
    if (browser && crm) await browser.reset(crm.origin);
    expect(errors, "uncaught errors in the page").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await crm?.close();
  });

  return {
    get crm() {
      if (!crm) throw new Error("the server is not running: did beforeAll fail?");
      return crm;
    },
    async page(path = "/", viewport) {
      if (!browser || !crm) throw new Error("the browser or the server is not running: did beforeAll fail?");
      const page = await browser.open(`${crm.url}${path}`, viewport);
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      return page;
    },
  };
}
