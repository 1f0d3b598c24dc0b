// Parsing, mapping and coercion without a database: what a CSV file becomes before the engine sees it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schema as crmSchema } from "@tessera/crm";
import { EngineError } from "@tessera/engine";
import { coerceRow, countCsvRows, parseCsvStream, resolveMapping, suggestMapping, type CsvRow } from "@tessera/csv";
import { contactsFixtureCsv, FIXTURE_FILE, FIXTURE_ROWS } from "./fixtures/contactsFixture.ts";

const schema = crmSchema.ir;
const contact = schema.models.find((m) => m.name === "Contact")!;
const deal = schema.models.find((m) => m.name === "Deal")!;

/** The text as a stream of chunks of `size` bytes (so records and characters are split anywhere). */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(text: string, size = 7, delimiter?: string): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of parseCsvStream(chunks(text, size), delimiter ? { delimiter } : {})) rows.push(row);
  return rows;
}

describe("parseCsvStream", () => {
  it("reads quoted delimiters, doubled quotes, line breaks inside quotes and accents split across chunks", async () => {
    const text = 'name,notes\r\n"Zoë ""Z"" Ångström","line one\r\nline two, still notes"\r\nJosé,plain\r\n';
    for (const size of [1, 2, 3, 5, 64]) {
      expect(await parse(text, size)).toEqual([
        { row: 1, cells: ["name", "notes"] },
        { row: 2, cells: ['Zoë "Z" Ångström', "line one\r\nline two, still notes"] },
        { row: 3, cells: ["José", "plain"] },
      ]);
    }
  });

  it("numbers rows as a spreadsheet does: blank lines are skipped but counted", async () => {
    const rows = await parse("a,b\n1,2\n\n,\n3,4", 4);
    expect(rows.map((r) => [r.row, r.cells.join("|")])).toEqual([
      [1, "a|b"],
      [2, "1|2"],
      [5, "3|4"],
    ]);
    expect(await countCsvRows(chunks("a,b\n1,2\n\n,\n3,4", 4))).toBe(2);
  });

  it("detects semicolons and tabs from the header, strips a byte order mark, and takes an explicit delimiter", async () => {
    expect((await parse("\ufeffVorname;E-Mail\nJürgen;j@example.com\n"))[1].cells).toEqual(["Jürgen", "j@example.com"]);
    expect((await parse("a\tb\n1\t2\n"))[1].cells).toEqual(["1", "2"]);
    expect((await parse("a;b\n1,5;2\n", 3, ","))[1].cells).toEqual(["1", "5;2"]);
  });

  it("marks a row whose quote is never closed instead of guessing", async () => {
    const rows = await parse('a,b\n1,2\n"open,3\n4,5\n');
    expect(rows[1]).toEqual({ row: 2, cells: ["1", "2"] });
    expect(rows[2].row).toBe(3);
    expect(rows[2].malformed).toMatch(/quoted value is never closed/);
    expect(rows).toHaveLength(3);
  });

  it("counts the fixture's rows and parses it whole", async () => {
    const text = readFileSync(FIXTURE_FILE, "utf8");
    expect(text).toBe(contactsFixtureCsv());
    expect(await countCsvRows(chunks(text, 4096))).toBe(FIXTURE_ROWS);
    const rows = await parse(text, 4096);
    expect(rows).toHaveLength(FIXTURE_ROWS + 1);
    expect(rows.at(-1)!.row).toBe(FIXTURE_ROWS + 1);
  });
});

describe("suggestMapping", () => {
  it("matches headers ignoring case, accents, spaces and punctuation, with common synonyms", () => {
    const headers = ["First name", "LAST_NAME", "E-mail", "Téléphone", "Phone number", "Company", "Job title", "Lifecycle stage", "Favourite colour", "tags"];
    expect(suggestMapping(schema, contact, headers)).toEqual({
      "First name": "firstName",
      LAST_NAME: "lastName",
      "E-mail": "email",
      Téléphone: "phone",
      "Phone number": null,
      Company: "company",
      "Job title": "jobTitle",
      "Lifecycle stage": "lifecycleStage",
      "Favourite colour": null,
      tags: "tags",
    });
    expect(suggestMapping(schema, contact, ["Email address", "Company name", "Surname"])).toEqual({ "Email address": "email", "Company name": "company", Surname: "lastName" });
    expect(suggestMapping(schema, deal, ["Title", "Contact", "companyId"])).toEqual({ Title: "title", Contact: "contact", companyId: "companyId" });
  });
});

describe("resolveMapping", () => {
  const failure = (fn: () => unknown): EngineError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof EngineError) return error;
      throw error;
    }
    throw new Error("expected an error");
  };

  it("names what is wrong: unknown fields, columns the file lacks, two columns for one field, nothing mapped", () => {
    const error = failure(() => resolveMapping(schema, contact, ["Name", "Mail", "Firm", "Firm id"], { Name: "fullName", Nope: "email", Firm: "company", "Firm id": "companyId" }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fieldErrors.map((e) => [e.path.join("."), e.rule])).toEqual([
      ["mapping.Name", "unknown_field"],
      ["mapping.Nope", "unknown_column"],
      ["mapping.Firm id", "duplicate_target"],
    ]);
    expect(error.fieldErrors[0].message).toMatch(/^Contact has no field 'fullName' to import into; use one of id, firstName, /);
    expect(failure(() => resolveMapping(schema, contact, ["a"], { a: null })).fieldErrors[0].rule).toBe("empty_mapping");
    expect(failure(() => resolveMapping(schema, contact, ["a", "a"], { a: "email" })).fieldErrors[0].rule).toBe("duplicate_column");
    expect(failure(() => resolveMapping(schema, contact, ["a"], ["email"])).fieldErrors[0].path).toEqual(["mapping"]);
  });

  it("ignores the columns it does not name and refuses system fields", () => {
    const plan = resolveMapping(schema, contact, ["First", "Extra"], { First: "firstName" });
    expect(plan.mapping).toEqual({ First: "firstName", Extra: null });
    expect(plan.columns.map((c) => c?.name ?? null)).toEqual(["firstName", null]);
    expect(failure(() => resolveMapping(schema, contact, ["v"], { v: "version" })).fieldErrors[0].rule).toBe("unknown_field");
  });
});

describe("coerceRow", () => {
  const plan = resolveMapping(schema, contact, ["first", "tags", "stage", "social", "company", "id"], {
    first: "firstName",
    tags: "tags",
    stage: "lifecycleStage",
    social: "socialHandles",
    company: "company",
    id: "id",
  });

  it("reads spreadsheet forms of each type; blank cells are not given", () => {
    expect(coerceRow(schema, plan, [" Ada ", "vip; partner ;", "Customer", '{"x":"@ada"}', "Acme", ""])).toEqual({
      values: { firstName: "Ada", tags: ["vip", "partner"], lifecycleStage: "customer", socialHandles: { x: "@ada" } },
      lookups: [{ target: plan.columns[4], text: "Acme" }],
      errors: [],
    });
    expect(coerceRow(schema, plan, ["Ada", "a,b", "", "", "", ""]).values).toEqual({ firstName: "Ada", tags: ["a", "b"] });
  });

  it("explains a cell it cannot read, and a row longer than the header", () => {
    expect(coerceRow(schema, plan, ["Ada", "", "wizard", "{oops", "", ""]).errors).toEqual([
      { field: "lifecycleStage", message: 'lifecycleStage must be one of subscriber, lead, opportunity, customer, evangelist, other, not "wizard"' },
      { field: "socialHandles", message: 'socialHandles must be JSON, such as {"key": "value"}' },
    ]);
    expect(coerceRow(schema, plan, ["Ada", "", "", "", "", "", "surplus"]).errors).toEqual([{ field: "", message: "the row has 7 values but the header has 6 columns" }]);
    expect(coerceRow(schema, plan, ["Ada", "", "", "", "", "", " "]).errors).toEqual([]);
  });

  it("reads numbers, amounts, booleans, dates and date-times as spreadsheets write them", () => {
    const dealPlan = resolveMapping(schema, deal, ["title", "value", "position", "closes"], { title: "title", value: "value", position: "position", closes: "expectedCloseDate" });
    expect(coerceRow(schema, dealPlan, ["Big", "$1,234,567.50", "2.5", "2026-03-31"]).values).toEqual({ title: "Big", value: "1234567.50", position: 2.5, expectedCloseDate: "2026-03-31" });
    expect(coerceRow(schema, dealPlan, ["Big", "EUR 12", "x", "31/03/2026"]).errors.map((e) => e.field)).toEqual(["position", "expectedCloseDate"]);
    const user = schema.models.find((m) => m.name === "User")!;
    const userPlan = resolveMapping(schema, user, ["active"], { active: "active" });
    expect(["Yes", "no", "1", "OFF"].map((text) => coerceRow(schema, userPlan, [text]).values.active)).toEqual([true, false, true, false]);
    expect(coerceRow(schema, userPlan, ["maybe"]).errors[0].message).toBe('active must be true or false (also yes/no, 1/0), not "maybe"');
    const activity = schema.models.find((m) => m.name === "Activity")!;
    const at = activity.fields.find((f) => f.type === "datetime" && !f.system)!;
    const activityPlan = resolveMapping(schema, activity, ["at"], { at: at.name });
    expect(["2026-01-31", "2026-01-31 09:30", "2026-01-31T09:30:00+02:00"].map((text) => coerceRow(schema, activityPlan, [text]).values[at.name])).toEqual([
      "2026-01-31T00:00:00Z",
      "2026-01-31T09:30Z",
      "2026-01-31T09:30:00+02:00",
    ]);
  });
});
