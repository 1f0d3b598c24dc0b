// A contact's life in the admin UI: created through the schema-driven form (the server's validation
// errors shown next to their field), edited with the change in the audit panel, moved to the trash
// and restored, annotated on its timeline, and found with Ctrl-K. Each step is checked through the
// API as well as on screen.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();
const unique = () => randomBytes(3).toString("hex");

interface ContactRow {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  jobTitle: string | null;
  deletedAt: string | null;
}
const CONTACT_FIELDS = "id firstName lastName email jobTitle deletedAt";

async function createContact(as: string, data: Record<string, unknown>): Promise<ContactRow> {
  const answer = await suite.crm.query<{ createContact: ContactRow }>(as, `mutation New($data: ContactCreateInput!) { createContact(data: $data) { ${CONTACT_FIELDS} } }`, { data });
  return answer.createContact;
}

async function contactById(id: string): Promise<ContactRow | null> {
  const answer = await suite.crm.query<{ contact: ContactRow | null }>("Ana", `query One($id: ID!) { contact(where: { id: $id }, deleted: INCLUDE) { ${CONTACT_FIELDS} } }`, { id });
  return answer.contact;
}

async function contactsNamed(firstName: string): Promise<ContactRow[]> {
  const answer = await suite.crm.query<{ contacts: ContactRow[] }>("Ana", `query Named($name: String!) { contacts(where: { firstName: $name }) { ${CONTACT_FIELDS} } }`, { name: firstName });
  return answer.contacts;
}

/** The text of the elements a control's aria-describedby points at: what a screen reader reads with it. */
async function description(page: Page, control: Locator): Promise<string> {
  const ids = ((await control.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join(" ");
}

async function openContact(page: Page, contact: ContactRow): Promise<void> {
  await page.goto(`${suite.crm.url}/m/Contact/${contact.id}`);
  await page.getByRole("heading", { level: 1, name: contact.firstName }).waitFor();
}

describe("contacts in the admin UI", () => {
  it("shows the server's validation error next to the email field, then creates the contact once it is fixed", async () => {
    const firstName = `Inès-${unique()}`;
    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("link", { name: "New", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "New Contact" }).waitFor();

    await page.getByLabel("First name").fill(firstName);
    await page.getByLabel("Last name").fill("Ferreira");
    // An address another contact has: only the server can know, so this is its error the form shows.
    const taken = await suite.crm.query<{ contacts: { email: string }[] }>("Ana", `{ contacts(first: 1, where: { email_not: null }) { email } }`);
    const email = page.getByLabel("Email");
    await email.fill(taken.contacts[0].email);
    await page.getByRole("button", { name: "Save" }).click();

    await page.getByRole("alert").filter({ hasText: "Fix the highlighted fields" }).waitFor();
    await eventually(() => email.getAttribute("aria-invalid")).toBe("true");
    expect(await description(page, email)).toMatch(/already|unique|taken/i);
    // The message is rendered inside the email field's own block, not only in a summary.
    const emailField = page.locator("[data-field=email]");
    expect(await emailField.getByRole("alert").innerText()).toMatch(/email/i);
    expect(await page.getByLabel("First name").getAttribute("aria-invalid")).toBeNull();
    expect(await contactsNamed(firstName)).toEqual([]);

    await email.fill(`ines.${unique()}@example.com`);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { level: 1, name: `${firstName} Ferreira` }).waitFor();
    await page.getByRole("status").filter({ hasText: `${firstName} Ferreira created` }).waitFor();
    const [created] = await contactsNamed(firstName);
    expect(created).toMatchObject({ firstName, lastName: "Ferreira", email: expect.stringMatching(/^ines\.\w+@example\.com$/), deletedAt: null });
    expect(page.url()).toBe(`${suite.crm.url}/m/Contact/${created.id}`);
  });

  it("edits a contact, and the audit panel shows who changed which field from what to what", async () => {
    const contact = await createContact("Bruno", { firstName: `Maëlle-${unique()}`, lastName: "Roux", jobTitle: "Buyer" });
    const page = await suite.page();
    await signInAs(page, "Ana");
    await openContact(page, contact);
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    const jobTitle = page.getByLabel("Job title");
    await eventually(() => jobTitle.inputValue()).toBe("Buyer");
    await jobTitle.fill("Head of purchasing");
    await page.getByRole("button", { name: "Save" }).click();

    await page.getByRole("status").filter({ hasText: `${contact.firstName} Roux saved` }).waitFor();
    const details = page.getByRole("region", { name: "Details" });
    await details.getByText("Head of purchasing").waitFor();
    expect((await contactById(contact.id))?.jobTitle).toBe("Head of purchasing");

    const audit = page.getByRole("region", { name: "Audit trail" });
    const entries = audit.getByRole("listitem").filter({ has: page.locator("time") });
    await eventually(() => entries.count()).toBe(2);
    // Newest first: Ana's edit, then Bruno's creation. Names replace user ids once they are loaded.
    await eventually(() => entries.nth(0).innerText()).toMatch(/Ana Álvarez\s+changed/);
    expect(await entries.nth(0).innerText()).toMatch(/Job title:\s*Buyer\s*→\s*Head of purchasing/);
    await eventually(() => entries.nth(1).innerText()).toMatch(/Bruno Müller\s+created/);
  });

  it("moves a contact to the trash, finds it there and restores it", async () => {
    const contact = await createContact("Ana", { firstName: `Søren-${unique()}`, lastName: "Holm" });
    const name = `${contact.firstName} Holm`;
    const page = await suite.page();
    await signInAs(page, "Ana");
    await openContact(page, contact);

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("status").filter({ hasText: `${name} moved to the trash` }).waitFor();
    await page.getByRole("heading", { level: 1, name: "Contacts" }).waitFor();
    expect((await contactById(contact.id))?.deletedAt).not.toBeNull();
    expect(await contactsNamed(contact.firstName)).toEqual([]);

    await page.getByRole("link", { name: "Trash", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Contacts in the trash" }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill(contact.firstName);
    const row = page.getByRole("row").filter({ hasText: contact.firstName });
    await row.waitFor();
    await row.getByRole("button", { name: "Restore" }).click();
    await page.getByRole("status").filter({ hasText: `${name} restored` }).waitFor();
    await row.waitFor({ state: "detached" });
    expect((await contactById(contact.id))?.deletedAt).toBeNull();

    await page.getByRole("link", { name: "Back to Contacts" }).click();
    await page.getByRole("searchbox", { name: "Search" }).fill(contact.firstName);
    await page.getByRole("row").filter({ hasText: contact.firstName }).waitFor();
  });

  it("lets a sales user add a note on her contact's timeline, listed there with her name", async () => {
    // Chloé (sales) may only see and change her own records: the note must be written as hers.
    const contact = await createContact("Ana", { firstName: `Zoë-${unique()}`, lastName: "Brandt", ownerId: suite.crm.user("Chloé").id });
    const title = `Renewal call booked ${unique()}`;
    const page = await suite.page();
    await signInAs(page, "Chloé");
    await openContact(page, contact);

    const timeline = page.getByRole("region", { name: "Timeline" });
    const form = timeline.getByRole("form", { name: "Add to timeline" });
    expect(await form.getByRole("radio", { name: "Note" }).isChecked()).toBe(true);
    await form.getByRole("textbox", { name: "Title" }).fill(title);
    await form.getByRole("textbox", { name: "Details" }).fill("Wants the annual plan; send the quote on Monday.");
    await form.getByRole("button", { name: "Add" }).click();

    const entry = timeline.getByRole("listitem").filter({ hasText: title });
    await entry.waitFor();
    await eventually(() => entry.innerText()).toMatch(/note[\s\S]*Wants the annual plan[\s\S]*Chloé Dubois/i);
    await eventually(() => form.getByRole("textbox", { name: "Title" }).inputValue()).toBe("");

    const notes = await suite.crm.query<{ activities: { type: string; title: string; contactId: string; assignedToId: string }[] }>(
      "Ana",
      `query Notes($id: ID!) { activities(where: { contactId: $id }) { type title contactId assignedToId } }`,
      { id: contact.id },
    );
    expect(notes.activities).toEqual([{ type: "note", title, contactId: contact.id, assignedToId: suite.crm.user("Chloé").id }]);
  });

  it("finds José when searching 'jose' with Ctrl-K, grouped by model, and opens him from the keyboard", async () => {
    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    await page.keyboard.press("Control+k");

    const palette = page.getByRole("dialog", { name: "Search everything" });
    await palette.getByRole("combobox", { name: "Search everything" }).fill("jose");
    const contacts = palette.getByRole("group", { name: "Contacts" });
    const jose = contacts.getByRole("option", { name: "José García" });
    await jose.waitFor();

    // Down-arrow to the hit, then Enter.
    const options = palette.getByRole("option");
    const names = await options.allInnerTexts();
    const index = names.indexOf("José García");
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
    await eventually(() => jose.getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");

    await page.getByRole("heading", { level: 1, name: "José García" }).waitFor();
    expect(await palette.count()).toBe(0);
    expect(page.url()).toMatch(/\/m\/Contact\/[0-9a-f-]{36}$/);
  });
});
