// Signing in and out, and what a read-only user is shown and allowed: the UI hides the controls,
// and the API refuses the same actions anyway.
import { describe, expect, it } from "vitest";
import { browserSuite } from "./support/browserSuite.ts";
import { signInAs, signInButton } from "./support/signIn.ts";

const suite = browserSuite();

async function anyContact(): Promise<{ id: string; firstName: string; lastName: string | null }> {
  const data = await suite.crm.query<{ contacts: { id: string; firstName: string; lastName: string | null }[] }>(
    "Ana",
    `{ contacts(first: 1, orderBy: [createdAt_ASC]) { id firstName lastName } }`,
  );
  return data.contacts[0];
}

describe("sign-in", () => {
  it("lists the four demo users with their roles, signs in as one, stays signed in on reload, and signs out back to the list", async () => {
    const page = await suite.page();
    await page.getByRole("heading", { name: "Sign in to Tessera" }).waitFor();
    const choices = page.getByRole("button", { name: /^Sign in as / });
    await signInButton(page, "Dan").waitFor();
    const expected = [
      ["Ana Álvarez", "admin"],
      ["Bruno Müller", "manager"],
      ["Chloé Dubois", "sales"],
      ["Dan O'Brien", "viewer"],
    ];
    const labels = await Promise.all((await choices.all()).map((button) => button.getAttribute("aria-label")));
    expect(labels).toEqual(expected.map(([name, role]) => `Sign in as ${name} (${role})`));
    // The role is shown, not only announced.
    for (const [name, role] of expected) expect(await signInButton(page, name).innerText()).toContain(role);

    await signInAs(page, "Bruno");
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    const header = page.getByRole("banner");
    expect(await header.innerText()).toMatch(/Bruno Müller[\s\S]*manager/);

    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(await header.innerText()).toContain("Bruno Müller");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Tessera" }).waitFor();
    await signInButton(page, "Ana").waitFor();
    expect(await choices.count()).toBe(4);
    await page.reload();
    await signInButton(page, "Ana").waitFor();
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
  });
});

describe("a viewer", () => {
  it("sees no New, Import, Trash, Edit or Delete controls where a manager sees them", async () => {
    const contact = await anyContact();
    const page = await suite.page();

    // The same screens as a manager first, so the absence below is about the role, not the locators.
    await signInAs(page, "Bruno");
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("button", { name: "Export CSV" }).waitFor();
    for (const name of ["New", "Import CSV", "Trash"]) expect(await page.getByRole("link", { name, exact: true }).count(), name).toBe(1);
    await page.goto(`${suite.crm.url}/m/Contact/${contact.id}`);
    await page.getByRole("heading", { name: contact.firstName, level: 1 }).waitFor();
    expect(await page.getByRole("link", { name: "Edit", exact: true }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Delete", exact: true }).count()).toBe(1);
    expect(await page.getByRole("form", { name: "Add to timeline" }).count()).toBe(1);
    await page.getByRole("button", { name: "Sign out" }).click();

    await signInAs(page, "Dan");
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("button", { name: "Export CSV" }).waitFor();
    expect(await page.getByRole("table").getByRole("row").count()).toBeGreaterThan(1);
    for (const name of ["New", "Import CSV", "Trash"]) expect(await page.getByRole("link", { name, exact: true }).count(), name).toBe(0);
    await page.goto(`${suite.crm.url}/m/Contact/${contact.id}`);
    await page.getByRole("heading", { name: contact.firstName, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    expect(await page.getByRole("link", { name: "Edit", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    expect(await page.getByRole("form", { name: "Add to timeline" }).count()).toBe(0);

    // Typing the address of a form does not bring it back.
    for (const path of [`/m/Contact/new`, `/m/Contact/${contact.id}/edit`]) {
      await page.goto(`${suite.crm.url}${path}`);
      await page.getByRole("alert").filter({ hasText: "You may not do this." }).waitFor();
      expect(await page.getByRole("button", { name: "Save" }).count(), path).toBe(0);
    }
  });

  it("is refused by the API when creating or deleting, whatever the UI shows", async () => {
    const contact = await anyContact();
    const created = await suite.crm.graphql("Dan", `mutation { createContact(data: { firstName: "Sneaky" }) { id } }`);
    expect(created.data?.createContact ?? null).toBeNull();
    expect(created.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const deleted = await suite.crm.graphql("Dan", `mutation Delete($id: ID!) { deleteContact(where: { id: $id }) { id } }`, { id: contact.id });
    expect(deleted.data?.deleteContact ?? null).toBeNull();
    expect(deleted.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const updated = await suite.crm.graphql("Dan", `mutation Update($id: ID!) { updateContact(where: { id: $id }, data: { jobTitle: "Hacked" }) { id } }`, { id: contact.id });
    expect(updated.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const after = await suite.crm.query<{ contact: { id: string; jobTitle: string | null; deletedAt: string | null } | null }>(
      "Ana",
      `query One($id: ID!) { contact(where: { id: $id }) { id jobTitle deletedAt } }`,
      { id: contact.id },
    );
    expect(after.contact).not.toBeNull();
    expect(after.contact!.deletedAt).toBeNull();
    expect(after.contact!.jobTitle).not.toBe("Hacked");
    const sneaky = await suite.crm.query<{ contacts: unknown[] }>("Ana", `{ contacts(where: { firstName: "Sneaky" }) { id } }`);
    expect(sneaky.contacts).toEqual([]);
  });
});
