// `npm run screenshots`: starts the CRM with its demo data on a scratch database (PGlite in memory,
// or a fresh database on the server when DATABASE_URL is set), drives Debian's Chromium through the
// main screens and writes them to docs/screenshots/. The browser-test harness does the starting.
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../e2e/support/chromium.ts";
import { startCrm, type CrmServer } from "../e2e/support/crmServer.ts";
import { signInAs } from "../e2e/support/signIn.ts";

const OUT_DIR = join(import.meta.dirname, "..", "docs", "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
/** Recharts draws its bars with a short animation; the dashboard is shot once it has settled. */
const CHART_ANIMATION_MS = 1_500;

async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.waitForLoadState("networkidle");
  // No hover effects or chart tooltips from wherever the last click left the pointer.
  await page.mouse.move(1, 1);
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  console.log(`  ${relative(process.cwd(), path)}`);
}

async function csvImportAvailable(crm: CrmServer): Promise<boolean> {
  const response = await fetch(`${crm.url}/api/import/preview?model=Contact`, {
    method: "POST",
    headers: { "content-type": "text/csv", authorization: `Bearer ${await crm.tokenFor("Ana")}` },
    body: "First name,Last name,Email\nAda,Lovelace,ada@example.com\n",
  });
  return response.ok;
}

/** José García, given a recent edit and a note so his timeline and audit trail have something to show. */
async function showcaseContact(crm: CrmServer): Promise<string> {
  const { contacts } = await crm.query<{ contacts: { id: string; version: number }[] }>("Ana", `{ contacts(where: { firstName: "José", lastName: "García" }) { id version } }`);
  const id = contacts[0].id;
  await crm.query("Bruno", `mutation Edit($id: ID!) { updateContact(where: { id: $id }, data: { jobTitle: "Head of Procurement", lifecycleStage: customer }) { id } }`, { id });
  await crm.query("Chloé", `mutation Note($data: ActivityCreateInput!) { createActivity(data: $data) { id } }`, {
    data: { type: "note", title: "Asked for a renewal quote", content: "Wants the annual plan with 20 seats; send the quote before Friday.", contactId: id, assignedToId: crm.user("Chloé").id, status: "done", occurredAt: new Date().toISOString() },
  });
  return id;
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  console.log("Starting the CRM with demo data and Chromium …");
  const [crm, browser] = await Promise.all([startCrm(), launchChromium({ viewport: DESKTOP })]);
  try {
    const page = await browser.open(`${crm.url}/`, DESKTOP);
    console.log("Writing screenshots:");

    await page.getByRole("button", { name: /^Sign in as Dan/ }).waitFor();
    await shoot(page, "01-sign-in");

    await signInAs(page, "Ana");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.locator(".recharts-bar-rectangle").first().waitFor();
    await page.waitForTimeout(CHART_ANIMATION_MS);
    await shoot(page, "02-dashboard");

    await page.goto(`${crm.url}/m/Contact`);
    await page.getByRole("button", { name: "Filters" }).click();
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.locator("#filter-0-field").selectOption("lifecycleStage");
    await page.locator("#filter-0-value").selectOption("customer");
    await page.getByRole("table").waitFor();
    await shoot(page, "03-contacts-filtered");

    const joseId = await showcaseContact(crm);
    await page.goto(`${crm.url}/m/Contact/${joseId}`);
    await page.getByRole("heading", { level: 1, name: "José García" }).waitFor();
    await page.getByRole("region", { name: "Audit trail" }).getByRole("listitem").first().waitFor();
    await page.getByRole("region", { name: "Timeline" }).getByText("Asked for a renewal quote").waitFor();
    await shoot(page, "04-contact-detail", { fullPage: true });

    await page.goto(`${crm.url}/m/Deal/new`);
    await page.getByLabel("Title").fill("Renewal — 20 seats");
    await page.getByLabel("Value").fill("-4800");
    await page.getByLabel("Currency").fill("euro");
    await page.getByRole("combobox", { name: "Contact" }).fill("garcía");
    await page.getByRole("option", { name: "José García" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    // The server's messages, each next to its field.
    await page.locator("[aria-invalid=true]").nth(1).waitFor();
    await shoot(page, "05-deal-form-validation", { fullPage: true });

    await page.goto(`${crm.url}/board`);
    await page.getByTestId("deal-card").first().waitFor();
    await shoot(page, "06-deal-board");

    await page.goto(`${crm.url}/`);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.keyboard.press("Control+k");
    await page.getByRole("combobox", { name: "Search everything" }).fill("jose");
    await page.getByRole("option", { name: "José García" }).waitFor();
    await shoot(page, "07-search-palette");

    if (await csvImportAvailable(crm)) {
      await page.goto(`${crm.url}/import/Contact`);
      await page.getByLabel("CSV file").setInputFiles({
        name: "contacts.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("First name,Last name,E-mail,Phone,Company\nAda,Lovelace,ada@example.com,+44 20 7946 0000,Analytical Engines\nAlan,Turing,alan@example.com,+44 161 496 0000,Bletchley Park\n"),
      });
      await page.getByRole("button", { name: "Upload" }).click();
      await page.getByRole("heading", { name: "Map columns to fields" }).waitFor();
      await shoot(page, "08-import-mapping");
    } else {
      console.log("  (CSV import API not available: import screenshot skipped)");
    }

    await page.setViewportSize(TABLET);
    await page.goto(`${crm.url}/m/Contact`);
    await page.getByRole("table").waitFor();
    await shoot(page, "09-tablet-contacts");
  } finally {
    await browser.close();
    await crm.close();
  }
}

await main();
