// A salesperson's first minutes: she creates a deal without picking herself as owner, and sees the
// notes her colleagues logged on her own contact (issue #13, walls 1 and 2).
import { describe, expect, it } from "vitest";
import { browserSuite } from "./support/browserSuite.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();

describe("a salesperson", () => {
  it("creates a deal from the form without choosing an owner, and owns it", async () => {
    const contact = (
      await suite.crm.query<{ contacts: { id: string; firstName: string; lastName: string | null }[] }>("Chloé", `{ contacts(first: 1, orderBy: [createdAt_ASC]) { id firstName lastName } }`)
    ).contacts[0];
    const page = await suite.page();
    await signInAs(page, "Chloé");
    await page.goto(`${suite.crm.url}/m/Deal/new`);
    await page.getByLabel(/^Title/).fill("Chloé's deal from the form");
    const picker = page.getByLabel(/^Contact/);
    await picker.click();
    await picker.fill(contact.firstName);
    await page.getByText(`${contact.firstName} ${contact.lastName ?? ""}`.trim()).first().click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Chloé's deal from the form" }).waitFor();
    expect(await page.getByText("could not", { exact: false }).count()).toBe(0);

    const saved = await suite.crm.query<{ deals: { owner: { name: string } | null }[] }>("Ana", `{ deals(where: { title: "Chloé's deal from the form" }) { owner { name } } }`);
    expect(saved.deals).toEqual([{ owner: { name: "Chloé Dubois" } }]);
  });

  it("sees on her contact's timeline the note a manager logged there", async () => {
    const { contacts } = await suite.crm.query<{ contacts: { id: string; firstName: string }[] }>("Chloé", `{ contacts(first: 1, orderBy: [createdAt_ASC]) { id firstName } }`);
    const contact = contacts[0];
    await suite.crm.query("Bruno", `mutation { createActivity(data: { type: note, title: "Bruno called about pricing", contactId: "${contact.id}" }) { id } }`);
    const page = await suite.page();
    await signInAs(page, "Chloé");
    await page.goto(`${suite.crm.url}/m/Contact/${contact.id}`);
    await page.getByText("Bruno called about pricing").waitFor();
  });
});
