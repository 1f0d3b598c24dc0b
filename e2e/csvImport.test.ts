// CSV import in the admin UI: the 1,000-row contacts fixture with three bad rows goes through
// upload → suggested mapping → preview → import with a progress bar → summary and error report,
// and the 997 good rows are in the database through the engine's write path (audited as the user).
import { readFileSync } from "node:fs";
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
    expect(await page.getByLabel("Update existing records matching on").inputValue()).toBe("email");
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
});
