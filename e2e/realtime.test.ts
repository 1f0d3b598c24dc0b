// Live collaboration in two browsers (two Chromium profiles, two users): each sees the other on the
// same deal, a field one edits is locked for the other with the holder's name, a card dragged on
// one board moves on the other without a reload, and an assignment or an @mention becomes a toast.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { launchChromium, type Browser } from "./support/chromium.ts";
import { startCrm, type CrmServer } from "./support/crmServer.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

let crm: CrmServer;
let ana: Browser;
let bruno: Browser;
let contactId: string;
let stageNames: Record<string, string>;

beforeAll(async () => {
  [crm, ana, bruno] = await Promise.all([startCrm(), launchChromium(), launchChromium()]);
  const data = await crm.query<{ contacts: { id: string }[]; pipelines: { stages: { key: string; name: string }[] }[] }>(
    "Ana",
    `{ contacts(first: 1) { id } pipelines(where: { isDefault: true }) { stages { key name } } }`,
  );
  contactId = data.contacts[0].id;
  stageNames = Object.fromEntries(data.pipelines[0].stages.map((s) => [s.key, s.name]));
});

afterEach(async () => {
  // Each test signs in afresh: close the pages and wipe the stored sessions.
  await ana?.reset(crm.origin);
  await bruno?.reset(crm.origin);
});

afterAll(async () => {
  await ana?.close();
  await bruno?.close();
  await crm?.close();
});

async function newDeal(extra: Record<string, unknown> = {}): Promise<{ id: string; title: string }> {
  const title = `Live deal ${randomBytes(3).toString("hex")}`;
  const answer = await crm.query<{ createDeal: { id: string; title: string } }>(
    "Ana",
    `mutation New($data: DealCreateInput!) { createDeal(data: $data) { id title } }`,
    { data: { title, value: "900", stage: "qualified", position: -2_000_000, contactId, ...extra } },
  );
  return answer.createDeal;
}

async function openAs(browser: Browser, who: string, path: string): Promise<Page> {
  const page = await browser.open(`${crm.url}/`);
  await signInAs(page, who);
  await page.goto(`${crm.url}${path}`);
  return page;
}

const presence = (page: Page): Locator => page.getByRole("list", { name: "Also here" });

describe("two people on one deal", () => {
  it("shows each the other's avatar, and locks the field one edits for the other with the holder's name", async () => {
    const deal = await newDeal();
    const anaPage = await openAs(ana, "Ana", `/m/Deal/${deal.id}`);
    const brunoPage = await openAs(bruno, "Bruno", `/m/Deal/${deal.id}`);
    await presence(anaPage).getByText("Bruno Müller is viewing").waitFor();
    await presence(brunoPage).getByText("Ana Álvarez is viewing").waitFor();

    // Ana edits the title: Bruno sees it on the record, and in his own form the title is read-only.
    await anaPage.getByRole("link", { name: "Edit" }).click();
    await anaPage.getByLabel("Title").click();
    await presence(brunoPage).getByText("Ana Álvarez is editing Title").waitFor();
    await brunoPage.getByRole("link", { name: "Edit" }).click();
    await brunoPage.getByTestId("lock-title").getByText("Ana Álvarez is editing this field").waitFor();
    await expect.poll(() => brunoPage.getByLabel("Title").isDisabled()).toBe(true);
    expect(await brunoPage.getByLabel("Value").isDisabled()).toBe(false);

    // Ana moves on: the lock is released and Bruno may edit the title.
    await anaPage.getByLabel("Value").click();
    await eventually(() => brunoPage.getByLabel("Title").isDisabled()).toBe(false);
    await brunoPage.getByTestId("lock-value").waitFor();
  });

  it("moves a card on the other's board, without a reload, when one drags it", async () => {
    const deal = await newDeal();
    const anaPage = await openAs(ana, "Ana", "/board");
    const brunoPage = await openAs(bruno, "Bruno", "/board");
    const column = (page: Page, key: string) => page.getByRole("listitem", { name: stageNames[key], exact: true });
    const card = (page: Page, key: string) => column(page, key).getByTestId("deal-card").filter({ hasText: deal.title });
    await card(anaPage, "qualified").waitFor();
    await card(brunoPage, "qualified").waitFor();
    let reloads = 0;
    brunoPage.on("framenavigated", () => reloads++);

    const from = await card(anaPage, "qualified").boundingBox();
    const to = await column(anaPage, "proposal").getByRole("heading", { level: 2 }).boundingBox();
    if (!from || !to) throw new Error("the card or the target column is not on screen");
    await anaPage.mouse.move(from.x + from.width / 2, from.y + from.height - 8);
    await anaPage.mouse.down();
    await anaPage.mouse.move(from.x + from.width / 2 + 12, from.y + from.height - 4, { steps: 4 });
    await anaPage.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
    await anaPage.mouse.up();

    await card(brunoPage, "proposal").waitFor();
    expect(await card(brunoPage, "qualified").count()).toBe(0);
    expect(reloads).toBe(0);
  });

  it("tells a user in a toast when someone assigns them a deal or mentions them in a note", async () => {
    const deal = await newDeal();
    const brunoPage = await openAs(bruno, "Bruno", "/");
    await brunoPage.getByRole("heading", { name: "Dashboard" }).waitFor();
    const toasts = brunoPage.getByTestId("toast");

    // Ana gives the deal to Bruno through the API: the assignment reaches Bruno's open browser.
    await crm.query("Ana", `mutation($id: ID!, $owner: ID!) { updateDeal(where: { id: $id }, data: { ownerId: $owner }) { id } }`, { id: deal.id, owner: crm.user("Bruno").id });
    await toasts.filter({ hasText: `Ana Álvarez assigned you deal “${deal.title}”` }).waitFor();

    // Ana mentions Bruno in a note on the deal's timeline.
    const anaPage = await openAs(ana, "Ana", `/m/Deal/${deal.id}`);
    await anaPage.getByTestId("record-title").waitFor();
    const timeline = anaPage.getByTestId("timeline");
    await timeline.getByPlaceholder("Title").fill("Pricing question");
    await timeline.getByPlaceholder("Details").fill("@Bruno can you check the discount?");
    await timeline.getByRole("button", { name: "Add" }).click();
    await toasts.filter({ hasText: `Ana Álvarez mentioned you in a note on “${deal.title}”` }).waitFor();
  });
});
