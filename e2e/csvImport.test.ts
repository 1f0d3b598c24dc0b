// CSV import in the admin UI: the 1,000-row contacts fixture with three bad rows goes through
// upload → suggested mapping → preview → import with a progress bar → summary and error report,
// and the 997 good rows are in the database through the engine's write path (audited as the user).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { BAD_ROWS, FIXTURE_FILE, FIXTURE_ROWS } from "../packages/csv/test/fixtures/contactsFixture.ts";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();
const GOOD_ROWS = FIXTURE_ROWS - Object.keys(BAD_ROWS).length;

describe("CSV import", () => {
  it("imports the 1,000-row fixture with progress shown, 997 created and the three bad rows reported with their reasons", async () => {
    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("link", { name: "Import CSV" }).click();
    await page.getByRole("heading", { level: 1, name: "Import contacts from CSV" }).waitFor();

    await page.getByLabel("CSV file").setInputFiles(FIXTURE_FILE);
    await page.getByRole("button", { name: "Upload" }).click();

    // Mapping, as suggested by the server from the headers.
    await page.getByRole("heading", { name: "Map columns to fields" }).waitFor();
    const suggested = { "First Name": "firstName", "Last Name": "lastName", "E-mail": "email", Phone: "phone", "Job Title": "jobTitle", "Lifecycle Stage": "lifecycleStage", Tags: "tags", Source: "source" };
    for (const [column, field] of Object.entries(suggested)) expect(await page.getByLabel(column, { exact: true }).inputValue(), column).toBe(field);
    // Create-only unless the person chooses otherwise: an existing e-mail is never overwritten by default.
    expect(await page.getByLabel("Update existing records matching on").inputValue()).toBe("");
    await page.getByRole("button", { name: "Preview" }).click();

    await page.getByRole("heading", { name: "Preview" }).waitFor();
    await page.getByText("1,000 records").waitFor();
    await page.getByRole("button", { name: "Import", exact: true }).click();

    const progress = page.getByRole("progressbar", { name: "Import progress" });
    await progress.waitFor();
    await page.getByText(/of 1,000 rows/).waitFor();
    await page.getByRole("heading", { name: "Import finished" }).waitFor();
    expect(await page.getByTestId("import-summary").innerText()).toBe(`${GOOD_ROWS} created, 0 updated, 3 rejected`);
    expect(await progress.getAttribute("max")).toBe(String(FIXTURE_ROWS));
    expect(await progress.getAttribute("value")).toBe(String(FIXTURE_ROWS));
    await page.getByText("1,000 of 1,000 rows").waitFor();

    // The rejected rows, on screen and in the downloadable report, each with its reason.
    const rejected = page.getByRole("list", { name: "Rejected rows" }).getByRole("listitem");
    const listed = await rejected.allInnerTexts();
    expect(listed).toHaveLength(3);
    Object.entries(BAD_ROWS).forEach(([row, e], i) => {
      expect(listed[i]).toContain(`Row ${row}`);
      expect(listed[i]).toContain(e.message);
    });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the error report" }).click()]);
    const report = Papa.parse<Record<string, string>>(readFileSync(await download.path(), "utf8"), { header: true, skipEmptyLines: true }).data;
    expect(report.map((r) => Number(r._row))).toEqual(Object.keys(BAD_ROWS).map(Number));
    for (const line of report) expect(line._error).toContain(BAD_ROWS[Number(line._row)].message);

    // In the database, through the write path: counted by the API, each audited as Ana's creation.
    const data = await suite.crm.query<{ imported: { aggregate: { count: number } }; all: { aggregate: { count: number } }; one: { id: string }[] }>(
      "Ana",
      `{ imported: contactsConnection(where: { source: "fixture" }) { aggregate { count } } all: contactsConnection { aggregate { count } } one: contacts(where: { source: "fixture" }, first: 1) { id } }`,
    );
    expect(data.imported.aggregate.count).toBe(GOOD_ROWS);
    const history = await suite.crm.query<{ contactHistory: { type: string; actor: string }[] }>("Ana", `query H($id: ID!) { contactHistory(id: $id) { type actor } }`, { id: data.one[0].id });
    expect(history.contactHistory).toEqual([{ type: "CREATED", actor: suite.crm.user("Ana").id }]);

    // The list shows them too (the browser runs with the en-GB locale).
    await page.getByRole("main").getByRole("link", { name: "Contacts", exact: true }).click();
    await eventually(() => page.getByTestId("list-count").innerText()).toBe(`${data.all.aggregate.count.toLocaleString("en-GB")} records`);
  });

  it("says which rows would update before writing, and updates existing contacts only after the person confirms", async () => {
    const existing = await suite.crm.query<{ createContact: { id: string } }>("Ana", `mutation { createContact(data: { firstName: "Edith", email: "edith.existing@import.example", jobTitle: "Clerk" }) { id } }`);
    const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-csv-"));
    const file = join(dir, "two-contacts.csv");
    writeFileSync(file, "First Name,E-mail,Job Title\nFrida,frida.new@import.example,Buyer\nEdith,edith.existing@import.example,Director\n");
    try {
      const page = await suite.page();
      await signInAs(page, "Ana");
      await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
      await page.getByRole("link", { name: "Import CSV" }).click();
      await page.getByLabel("CSV file").setInputFiles(file);
      await page.getByRole("button", { name: "Upload" }).click();
      await page.getByRole("heading", { name: "Map columns to fields" }).waitFor();

      // Create-only (the default): the existing e-mail is an error, not an update.
      expect(await page.getByLabel("Update existing records matching on").inputValue()).toBe("");
      await page.getByRole("button", { name: "Preview" }).click();
      expect(await page.getByTestId("import-classification").innerText()).toBe("1 new, 1 error");
      const problems = page.getByRole("list", { name: "Rows that will not be imported" }).getByRole("listitem");
      expect(await problems.allInnerTexts()).toEqual(["Row 3 · Email: a contact with this email already exists"]);

      // Updating by e-mail is an explicit choice; the preview then names the contact it would update.
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByLabel("Update existing records matching on").selectOption("email");
      await page.getByRole("button", { name: "Preview" }).click();
      await eventually(() => page.getByTestId("import-classification").innerText()).toBe("1 new, 1 update");
      await page.getByRole("cell", { name: "Update · Edith" }).waitFor();

      // Import asks first; nothing is written before the person confirms.
      await page.getByRole("button", { name: "Import", exact: true }).click();
      const dialog = page.getByRole("alertdialog", { name: "Update existing records?" });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain("This import will update 1 existing contact whose email matches a row of the file");
      const before = await suite.crm.query<{ contact: { jobTitle: string; version: number } }>("Ana", `query C($id: ID!) { contact(where: { id: $id }) { jobTitle version } }`, { id: existing.createContact.id });
      expect(before.contact).toEqual({ jobTitle: "Clerk", version: 1 });
      await dialog.getByRole("button", { name: "Update and import" }).click();

      await page.getByRole("heading", { name: "Import finished" }).waitFor();
      expect(await page.getByTestId("import-summary").innerText()).toBe("1 created, 1 updated, 0 rejected");
      const after = await suite.crm.query<{ edith: { jobTitle: string; version: number }; frida: { aggregate: { count: number } } }>(
        "Ana",
        `query C($id: ID!) { edith: contact(where: { id: $id }) { jobTitle version } frida: contactsConnection(where: { email: "frida.new@import.example" }) { aggregate { count } } }`,
        { id: existing.createContact.id },
      );
      expect(after).toEqual({ edith: { jobTitle: "Director", version: 2 }, frida: { aggregate: { count: 1 } } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
