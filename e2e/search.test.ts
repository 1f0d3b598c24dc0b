// Searching by full name (issue #13, wall 4): "jose garcia" finds José García in the Ctrl-K palette
// and in a deal's contact picker, as the first hit, ahead of names that merely contain both words.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();

interface ContactRow {
  id: string;
  firstName: string;
  lastName: string | null;
}

/**
 * A contact sorting before "José" alphabetically that contains both words without being the name:
 * an alphabetical list would show it first; the relevance order puts José García first.
 */
async function nearMiss(): Promise<ContactRow> {
  const answer = await suite.crm.query<{ createContact: ContactRow }>(
    "Ana",
    `mutation { createContact(data: { firstName: "Abelardo-José", lastName: "García" }) { id firstName lastName } }`,
  );
  return answer.createContact;
}

async function joseGarcia(): Promise<ContactRow[]> {
  const answer = await suite.crm.query<{ contacts: ContactRow[] }>("Ana", `{ contacts(where: { firstName: "José", lastName: "García" }) { id firstName lastName } }`);
  return answer.contacts;
}

async function openPalette(page: Page) {
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  await page.keyboard.press("Control+k");
  return page.getByRole("dialog", { name: "Search everything" });
}

describe("search by full name", () => {
  it("finds José García with Ctrl-K for 'jose garcia' and 'GARCÍA jo', best match first", async () => {
    expect((await joseGarcia()).length).toBeGreaterThan(0); // the demo data's showcase contact
    await nearMiss();
    const page = await suite.page();
    await signInAs(page, "Ana");
    const palette = await openPalette(page);
    const input = palette.getByRole("combobox", { name: "Search everything" });
    const contacts = palette.getByRole("group", { name: "Contacts" });

    await input.fill("jose garcia");
    await contacts.getByRole("option", { name: "José García", exact: true }).first().waitFor();
    await eventually(async () => (await contacts.getByRole("option").allInnerTexts())[0]).toBe("José García");
    expect(await contacts.getByRole("option").allInnerTexts()).toContain("Abelardo-José García");

    await input.fill("GARCÍA jo");
    await eventually(async () => (await contacts.getByRole("option").allInnerTexts())[0]).toBe("José García");

    await input.fill("jose garcia");
    await eventually(async () => (await contacts.getByRole("option").allInnerTexts())[0]).toBe("José García");
    await contacts.getByRole("option").first().click();
    await page.getByRole("heading", { level: 1, name: "José García" }).waitFor();
    const opened = page.url().match(/\/m\/Contact\/([0-9a-f-]{36})$/)?.[1];
    expect((await joseGarcia()).map((c) => c.id)).toContain(opened);
  });

  it("finds José García in a deal's contact picker for 'jose garcia', ahead of other matches", async () => {
    await nearMiss();
    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.goto(`${suite.crm.url}/m/Deal/new`);
    const title = `Deal for José ${Date.now()}`;
    await page.getByLabel(/^Title/).fill(title);
    const picker = page.getByLabel(/^Contact/);
    await picker.click();
    await picker.fill("jose garcia");
    const options = page.getByRole("listbox").getByRole("option");
    await eventually(async () => (await options.allInnerTexts())[0]).toBe("José García");
    expect(await options.allInnerTexts()).toContain("Abelardo-José García");
    await options.first().click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: title }).waitFor();

    const saved = await suite.crm.query<{ deals: { contact: { firstName: string; lastName: string | null } | null }[] }>(
      "Ana",
      `query Saved($title: String!) { deals(where: { title: $title }) { contact { firstName lastName } } }`,
      { title },
    );
    expect(saved.deals).toEqual([{ contact: { firstName: "José", lastName: "García" } }]);
  });
});
