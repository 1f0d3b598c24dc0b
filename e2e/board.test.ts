// The Deal Kanban: dragging a card to another stage changes the deal (checked through the API);
// a move the server refuses is shown at once, then undone with a toast; a viewer cannot drag.
// Won and Lost ask in a dialog for what the stage needs (close date, reason for lost) first.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page, Route } from "playwright-core";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();
const FROM = "qualified";
const TO = "proposal";
/** Far below the demo deals' positions, so a test's deal is the first card of its column. */
const TOP_POSITION = -1_000_000;

let stageNames: Record<string, string>;
let contactId: string;

beforeAll(async () => {
  const data = await suite.crm.query<{ pipelines: { isDefault: boolean; stages: { key: string; name: string }[] }[]; contacts: { id: string }[] }>(
    "Ana",
    `{ pipelines(where: { isDefault: true }) { isDefault stages { key name } } contacts(first: 1) { id } }`,
  );
  stageNames = Object.fromEntries(data.pipelines[0].stages.map((s) => [s.key, s.name]));
  contactId = data.contacts[0].id;
});

interface DealRow {
  id: string;
  title: string;
  stage: string;
  version: number;
  actualCloseDate?: string | null;
  lostReason?: string | null;
}

async function createDeal(extra: Record<string, unknown> = {}): Promise<DealRow> {
  const title = `Board deal ${randomBytes(3).toString("hex")}`;
  const answer = await suite.crm.query<{ createDeal: DealRow }>(
    "Ana",
    `mutation New($data: DealCreateInput!) { createDeal(data: $data) { id title stage version } }`,
    { data: { title, value: "12500", stage: FROM, position: TOP_POSITION, contactId, ...extra } },
  );
  return answer.createDeal;
}

async function dealById(id: string): Promise<DealRow> {
  const answer = await suite.crm.query<{ deal: DealRow }>("Ana", `query One($id: ID!) { deal(where: { id: $id }) { id title stage version actualCloseDate lostReason } }`, { id });
  return answer.deal;
}

const column = (page: Page, stageKey: string): Locator => page.getByRole("listitem", { name: stageNames[stageKey], exact: true });
const card = (page: Page, stageKey: string, title: string): Locator => column(page, stageKey).getByTestId("deal-card").filter({ hasText: title });

async function columnCount(page: Page, stageKey: string): Promise<number> {
  const text = await column(page, stageKey).getByTestId("column-count").innerText();
  return Number(text.replace(/\D/g, ""));
}

/** A pointer drag the way a person does it: press, move past the activation distance, glide, release. */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const start = await from.boundingBox();
  const end = await to.boundingBox();
  if (!start || !end) throw new Error("the card or the target column is not on screen");
  // Press on the card's lower edge, away from its title link.
  const x = start.x + start.width / 2;
  const y = start.y + start.height - 8;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 12, y + 4, { steps: 4 });
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 15 });
  await page.mouse.up();
}

/** Wide enough for every column, Won and Lost included, to be on screen for a drag. */
const WIDE = { width: 1900, height: 1000 };

/** Today as the browser's date input shows it (the server and the browser share a clock and zone). */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

async function dashboardCount(page: Page, testId: string): Promise<number> {
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  const figure = page.getByTestId(testId);
  await figure.waitFor();
  return Number((await figure.innerText()).replace(/\D/g, ""));
}

async function openBoard(page: Page, who: string, title: string, signIn = true): Promise<void> {
  if (signIn) await signInAs(page, who);
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Deal board" }).click();
  await page.getByRole("heading", { level: 1, name: "Deal board" }).waitFor();
  await card(page, FROM, title).waitFor();
}

describe("the deal board", () => {
  it("moves a dragged deal to the stage it is dropped on, as the API then shows", async () => {
    const deal = await createDeal();
    const page = await suite.page();
    await openBoard(page, "Ana", deal.title);
    const before = { from: await columnCount(page, FROM), to: await columnCount(page, TO) };

    await drag(page, card(page, FROM, deal.title), column(page, TO).getByRole("heading", { level: 2 }));

    await page.getByRole("status").filter({ hasText: `${deal.title} moved to ${stageNames[TO]}` }).waitFor();
    await card(page, TO, deal.title).waitFor();
    expect(await card(page, FROM, deal.title).count()).toBe(0);
    await eventually(async () => (await dealById(deal.id)).stage).toBe(TO);
    await eventually(async () => ({ from: await columnCount(page, FROM), to: await columnCount(page, TO) })).toEqual({ from: before.from - 1, to: before.to + 1 });

    // Still there after a reload: the move is the server's, not the page's.
    await page.reload();
    await card(page, TO, deal.title).waitFor();
  });

  it("shows a move at once and undoes it with a toast when the server refuses it", async () => {
    const deal = await createDeal();
    const page = await suite.page();
    await openBoard(page, "Ana", deal.title);

    // Hold the move's request until the optimistic card has been seen in its new column.
    let held: Route | undefined;
    await page.route("**/graphql", async (route) => {
      if (route.request().postData()?.includes("mutation Move")) held = route;
      else await route.continue();
    });
    await drag(page, card(page, FROM, deal.title), column(page, TO).getByRole("heading", { level: 2 }));
    await card(page, TO, deal.title).waitFor();
    await eventually(() => held !== undefined).toBe(true);
    // Someone else changes the deal while the move is on its way: the version the move carries is
    // now stale, so the server refuses it (CONFLICT) instead of overwriting their change. (Changed
    // before the drag, the live board would already show the new version and the move would pass.)
    await suite.crm.query("Bruno", `mutation Touch($id: ID!) { updateDeal(where: { id: $id }, data: { value: "13000" }) { id } }`, { id: deal.id });
    await held!.continue();

    await page.getByRole("status").filter({ hasText: "The move was refused and undone" }).waitFor();
    await card(page, FROM, deal.title).waitFor();
    expect(await card(page, TO, deal.title).count()).toBe(0);
    expect((await dealById(deal.id)).stage).toBe(FROM);
  });

  it("reorders a deal within its stage by dropping it on another card, with a position between its new neighbours", async () => {
    // Above every other test's deals, so these two are the column's first cards.
    const first = await createDeal({ position: TOP_POSITION - 10_000 });
    const second = await createDeal({ position: TOP_POSITION - 9_000 });
    const page = await suite.page();
    await openBoard(page, "Ana", second.title);
    const titles = () => column(page, FROM).getByTestId("deal-card").locator(".deal-title").allInnerTexts();
    await eventually(async () => (await titles()).slice(0, 2)).toEqual([first.title, second.title]);

    await drag(page, card(page, FROM, second.title), card(page, FROM, first.title));

    await eventually(async () => (await titles()).slice(0, 2)).toEqual([second.title, first.title]);
    const positions = await suite.crm.query<{ deals: { id: string; stage: string; position: number }[] }>(
      "Ana",
      `query P($ids: [ID!]) { deals(where: { id_in: $ids }) { id stage position } }`,
      { ids: [first.id, second.id] },
    );
    const byId = Object.fromEntries(positions.deals.map((d) => [d.id, d]));
    expect(byId[second.id].stage).toBe(FROM);
    expect(byId[second.id].position).toBeLessThan(byId[first.id].position);
    // Only the moved deal was written: the other keeps its position.
    expect(byId[first.id].position).toBe(TOP_POSITION - 10_000);
    await page.reload();
    await eventually(async () => (await titles()).slice(0, 2)).toEqual([second.title, first.title]);
  });

  it("does not let a viewer drag a deal, and the deal keeps its stage", async () => {
    const deal = await createDeal();
    const page = await suite.page();
    const moves: string[] = [];
    page.on("request", (request) => {
      if (request.postData()?.includes("mutation")) moves.push(request.postData()!);
    });
    await openBoard(page, "Dan", deal.title);

    await drag(page, card(page, FROM, deal.title), column(page, TO).getByRole("heading", { level: 2 }));
    // The card never left its column, nothing was sent, and nothing changed on the server.
    expect(await card(page, FROM, deal.title).count()).toBe(1);
    expect(await card(page, TO, deal.title).count()).toBe(0);
    await page.reload();
    await card(page, FROM, deal.title).waitFor();
    expect(moves).toEqual([]);
    expect((await dealById(deal.id)).stage).toBe(FROM);
    expect(await card(page, FROM, deal.title).getAttribute("aria-disabled")).toBe("true");
  });

  it("lost needs a reason: the dialog asks for it, refuses to save without one, and the dashboard counts the lost deal", async () => {
    const chloe = suite.crm.user("Chloé").id;
    const deal = await createDeal({ ownerId: chloe });
    const page = await suite.page("/", WIDE);
    await signInAs(page, "Chloé");
    const lostBefore = await dashboardCount(page, "kpi-lost-count");
    await openBoard(page, "Chloé", deal.title, false);

    await drag(page, card(page, FROM, deal.title), column(page, "lost").getByRole("heading", { level: 2 }));
    const dialog = page.getByRole("dialog", { name: `Mark “${deal.title}” as ${stageNames.lost}` });
    await dialog.waitFor();
    expect(await dialog.getByLabel("Actual close date").inputValue()).toBe(today());
    expect(await dialog.getByLabel("Lost reason").inputValue()).toBe("");
    // The card waits in its column while the dialog is open.
    expect(await card(page, FROM, deal.title).count()).toBe(1);

    await dialog.getByRole("button", { name: `Mark as ${stageNames.lost}` }).click();
    await dialog.getByRole("alert").filter({ hasText: `Lost reason is required to mark the deal as ${stageNames.lost}.` }).waitFor();
    expect((await dealById(deal.id)).stage).toBe(FROM);

    await dialog.getByLabel("Lost reason").fill("Chose a cheaper tool");
    await dialog.getByRole("button", { name: `Mark as ${stageNames.lost}` }).click();
    await dialog.waitFor({ state: "detached" });
    await card(page, "lost", deal.title).waitFor();
    await eventually(async () => dealById(deal.id)).toMatchObject({ stage: "lost", lostReason: "Chose a cheaper tool", actualCloseDate: today() });

    await eventually(async () => dashboardCount(page, "kpi-lost-count")).toBe(lostBefore + 1);
  });

  it("puts the card back when the won dialog is cancelled, and sends nothing", async () => {
    const deal = await createDeal();
    const page = await suite.page("/", WIDE);
    const mutations: string[] = [];
    page.on("request", (request) => {
      if (request.postData()?.includes("mutation")) mutations.push(request.postData()!);
    });
    await openBoard(page, "Ana", deal.title);

    await drag(page, card(page, FROM, deal.title), column(page, "won").getByRole("heading", { level: 2 }));
    const dialog = page.getByRole("dialog", { name: `Mark “${deal.title}” as ${stageNames.won}` });
    await dialog.waitFor();
    // Won needs only the close date.
    expect(await dialog.getByLabel("Actual close date").inputValue()).toBe(today());
    expect(await dialog.getByLabel("Lost reason").count()).toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });

    expect(await card(page, FROM, deal.title).count()).toBe(1);
    expect(await card(page, "won", deal.title).count()).toBe(0);
    expect(mutations).toEqual([]);
    expect((await dealById(deal.id)).stage).toBe(FROM);
  });
});
