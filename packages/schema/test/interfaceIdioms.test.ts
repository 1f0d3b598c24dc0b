// The interface form reads TypeScript as people write it (issue #11): string enums whose member
// names differ from their values, interfaces declaring the record's system fields, foreign keys
// typed `string`, a list of display fields, and relationship names as list columns. Each idiom
// gives the same IR as its DSL twin; each wrong use is an error naming model and key.
import { describe, expect, it } from "vitest";
import { belongsTo, defineEnum, defineSchema, f, hasMany, model, readInterfaceSchema } from "@tessera/schema";
import { expectIssue, issuesOf, loadSource } from "./helpers/issues.ts";

const read = (source: string) => readInterfaceSchema(source, "inline.ts");

// ---- A small recruiting app, in both forms --------------------------------------------------------
const Seniority = defineEnum("Seniority", ["junior", "senior"]);
const dslTwin = defineSchema({
  models: {
    Candidate: model({
      fields: {
        firstName: f.string().required(),
        lastName: f.string().required(),
        seniority: f.enum(Seniority).required().default("junior"),
      },
      rowRules: { read: [{ roles: "intern", where: { seniority: "junior" } }] },
      relationships: { applications: hasMany("Application", { foreignKey: "candidateId" }) },
      ui: { displayField: ["firstName", "lastName"] },
    }),
    Position: model({
      fields: { name: f.string().required(), level: f.enum(Seniority).default("senior") },
      ui: { displayField: "name" },
    }),
    Application: model({
      fields: { candidateId: f.id().required(), positionId: f.id(), note: f.string() },
      relationships: {
        candidate: belongsTo("Candidate", { foreignKey: "candidateId" }),
        position: belongsTo("Position", { foreignKey: "positionId" }),
      },
      ui: { listView: ["candidate", "position", "note"] },
    }),
  },
});

interface Parts {
  enumDecl?: string;
  candidate?: string;
  candidateModel?: string;
  position?: string;
  application?: string;
  applicationModel?: string;
}
const recruiting = (p: Parts = {}): string => `
import type { ID, DateTime, Int } from "@tessera/schema";
${p.enumDecl ?? `export enum Seniority { JUNIOR = "junior", SENIOR = "senior" }`}
type Timestamp = DateTime;
export interface Candidate {
  ${p.candidate ?? `id: string; firstName: string; lastName: string; seniority: Seniority; createdAt: Date; updatedAt: Timestamp; deletedAt: Date | null; version: number;`}
}
export interface Position { ${p.position ?? `id: ID; name: string; level?: Seniority; createdAt: string; updatedAt: DateTime; deletedAt?: Date; version: Int;`} }
export interface Application { ${p.application ?? `candidateId: string; positionId?: ID; note?: string;`} }
export const schema = {
  models: {
    Candidate: {
      defaults: { seniority: Seniority.JUNIOR },
      rowRules: { read: [{ roles: "intern", where: { seniority: Seniority.JUNIOR } }] },
      relationships: { applications: { type: "hasMany", model: "Application", foreignKey: "candidateId" } },
      ui: { displayField: ["firstName", "lastName"] },
      ${p.candidateModel ?? ""}
    },
    Position: { defaults: { level: Seniority["SENIOR"] }, ui: { displayField: "name" } },
    Application: {
      relationships: {
        candidate: { type: "belongsTo", model: "Candidate", foreignKey: "candidateId" },
        position: { type: "belongsTo", model: "Position", foreignKey: "positionId" },
      },
      ui: { listView: ["candidate", "position", "note"] },
      ${p.applicationModel ?? ""}
    },
  },
};`;

describe("interface form: idiomatic TypeScript gives the DSL's IR", () => {
  it("loads the recruiting app to the same IR as its DSL twin", () => {
    expect(loadSource(recruiting())).toEqual(dslTwin.ir);
  });

  it("stores enum values, not member names, and resolves members in defaults and where clauses", () => {
    const raw = read(recruiting());
    expect(raw.enums).toEqual({ Seniority: ["junior", "senior"] });
    expect(raw.models.Candidate.fields.seniority).toEqual({ type: "enum", enum: "Seniority", required: true, default: "junior" });
    expect(raw.models.Position.fields.level).toMatchObject({ default: "senior" }); // Seniority["SENIOR"]
    expect(raw.models.Candidate.rowRules).toEqual({ read: [{ roles: "intern", where: { seniority: "junior" } }] });
  });

  it("leaves declared system fields out of the fields (Tessera adds them)", () => {
    const raw = read(recruiting());
    expect(Object.keys(raw.models.Candidate.fields)).toEqual(["firstName", "lastName", "seniority"]);
    expect(Object.keys(raw.models.Position.fields)).toEqual(["name", "level"]);
  });

  it("checks a renamed primary key, not `id`, as the system key", () => {
    const source = `import type { ID } from "@tessera/schema";
      export interface Thing { uuid: ID; name: string }
      export const schema = { models: { Thing: { primaryKey: "uuid" } } };`;
    expect(Object.keys(read(source).models.Thing.fields)).toEqual(["name"]);
    expect(loadSource(source).models[0].fields[0]).toMatchObject({ name: "uuid", type: "id", system: true });
    expectIssue(() => read(source.replace("uuid: ID", "uuid: number")), "Thing", "fields.uuid", /primary key.*declare it ID or string, not number/);
  });

  it("reads foreign keys typed `string` as ids, on belongsTo and on the target of hasMany", () => {
    const raw = read(recruiting());
    expect(raw.models.Application.fields.candidateId).toEqual({ type: "id", required: true });
    expect(raw.models.Application.fields.positionId).toEqual({ type: "id" }); // typed ID: still accepted
    expect(raw.models.Application.fields.note).toEqual({ type: "string" }); // not a foreign key: stays a string
    // Named only by the other side's hasMany:
    const onlyHasMany = read(recruiting({ applicationModel: "" }).replace(/candidate: \{ type: "belongsTo"[^}]*\},/, ""));
    expect(onlyHasMany.models.Application.fields.candidateId).toEqual({ type: "id", required: true });
  });

  it("keeps a single display field as a one-element list, and the first field as displayField", () => {
    const ir = loadSource(recruiting());
    const ui = (name: string) => ir.models.find((m) => m.name === name)!.ui;
    expect(ui("Candidate")).toMatchObject({ displayField: "firstName", displayFields: ["firstName", "lastName"] });
    expect(ui("Position")).toMatchObject({ displayField: "name", displayFields: ["name"] });
    // Not given: the first text field, as before.
    expect(ui("Application")).toMatchObject({ displayField: "note", displayFields: ["note"] });
  });
});

describe("interface form: the idioms' wrong uses name model and key", () => {
  it.each([
    ["id: number;", "fields.id", /primary key, a uuid set by Tessera: declare it ID or string, not number/],
    ["id: Text;", "fields.id", /declare it ID or string, not Text/],
    ["id: string | null;", "fields.id", /never null/],
    ["createdAt: boolean;", "fields.createdAt", /creation time.*declare it Date, DateTime or string, not boolean/],
    ["createdAt: Int;", "fields.createdAt", /not Int/],
    ["updatedAt: Date | null;", "fields.updatedAt", /never null/],
    ["deletedAt: Date;", "fields.deletedAt", /soft-delete time, null while the record is live: declare it Date \| null/],
    ["deletedAt: boolean | null;", "fields.deletedAt", /not boolean \| null/],
    ["version: string;", "fields.version", /optimistic-locking version.*declare it Int or number, not string/],
    ["createdAt: Date[];", "fields.createdAt", /not Date\[\]/],
  ])("a system field %s", (member, key, message) => {
    const source = recruiting({ position: `name: string; level?: Seniority; ${member}` }).replace("import type { ID", "import type { Text, ID");
    expectIssue(() => read(source), "Position", key, message);
  });

  it("a foreign key typed number or Int is not an id", () => {
    expectIssue(() => loadSource(recruiting({ application: "candidateId: number; positionId?: ID; note?: string;" })), "Application", "relationships.candidate.foreignKey", /must be an id field, not float/);
    expectIssue(() => loadSource(recruiting({ application: "candidateId: Int; positionId?: ID; note?: string;" })), "Application", "relationships.candidate.foreignKey", /must be an id field, not int/);
    // The hasMany side reports it too, from Candidate.
    expectIssue(() => loadSource(recruiting({ application: "candidateId: number; positionId?: ID; note?: string;" })), "Candidate", "relationships.applications.foreignKey", /not float/);
  });

  it("a default naming an enum's value instead of its member, or an unknown member", () => {
    expectIssue(() => read(recruiting().replace("defaults: { seniority: Seniority.JUNIOR }", "defaults: { seniority: Seniority.junior }")), "Candidate", "defaults.seniority", /must be a literal/);
    expectIssue(() => read(recruiting().replace(`Seniority["SENIOR"]`, `Seniority["LEAD"]`)), "Position", "defaults.level", /must be a literal/);
  });

  it("an enum value the database cannot use as a label is reported under the enum", () => {
    expectIssue(() => loadSource(recruiting({ enumDecl: `export enum Seniority { JUNIOR = "junior", SENIOR = "senior", MID = "mid level" }` })), "enums", "Seniority.mid level", /valid identifier/);
    expectIssue(() => loadSource(recruiting({ enumDecl: `export enum Seniority { JUNIOR = "junior", SENIOR = "senior", LEAD = "senior" }` })), "enums", "Seniority.senior", /declared twice/);
  });

  it("displayField naming an unknown field, twice the same field, or nothing", () => {
    const withUi = (ui: string) => recruiting().replace(`ui: { displayField: ["firstName", "lastName"] }`, `ui: { ${ui} }`);
    expectIssue(() => loadSource(withUi(`displayField: ["firstName", "surname"]`)), "Candidate", "ui.displayField[1]", /unknown field 'surname'/);
    expectIssue(() => loadSource(withUi(`displayField: ["firstName", "firstName"]`)), "Candidate", "ui.displayField[1]", /named twice/);
    expectIssue(() => loadSource(withUi(`displayField: []`)), "Candidate", "ui.displayField", /non-empty list/);
    expectIssue(() => loadSource(withUi(`displayField: ["firstName", 3]`)), "Candidate", "ui.displayField[1]", /must be a field name/);
    expectIssue(() => loadSource(withUi(`displayField: "surname"`)), "Candidate", "ui.displayField", /unknown field 'surname'/);
  });

  it("listView naming an unknown relationship, a hasMany, or a relationship in editForm", () => {
    const withList = (ui: string) => recruiting().replace(`ui: { listView: ["candidate", "position", "note"] }`, `ui: { ${ui} }`);
    expectIssue(() => loadSource(withList(`listView: ["candidate", "employer"]`)), "Application", "ui.listView[1]", /unknown field 'employer' \(a list column is a field or a belongsTo relationship\)/);
    expectIssue(() => loadSource(withList(`editForm: ["candidate"]`)), "Application", "ui.editForm[0]", /unknown field 'candidate'/);
    const hasManyColumn = recruiting().replace(`ui: { displayField: ["firstName", "lastName"] }`, `ui: { listView: ["firstName", "applications"] }`);
    expectIssue(() => loadSource(hasManyColumn), "Candidate", "ui.listView[1]", /'applications' is a hasMany relationship; only fields and belongsTo relationships/);
  });

  it("unknown keys are still errors naming model and key", () => {
    expectIssue(() => loadSource(recruiting({ candidateModel: `colour: "red",` })), "Candidate", "colour", /unknown key 'colour'/);
    expectIssue(() => loadSource(recruiting().replace(`ui: { displayField: "name" }`, `ui: { displayField: "name", displayFields: ["name"] }`)), "Position", "ui.displayFields", /unknown key/);
  });

  it("reports every problem of a file at once", () => {
    const issues = issuesOf(() => read(recruiting({ position: "id: number; createdAt: boolean; name: string; level?: Seniority;" })));
    expect(issues.map((i) => `${i.model} ${i.key}`)).toEqual(["Position fields.id", "Position fields.createdAt"]);
  });
});

describe("the DSL accepts a list of display fields and relationship columns too", () => {
  it("gives the same ui IR", () => {
    const candidate = dslTwin.ir.models.find((m) => m.name === "Candidate")!;
    expect(candidate.ui).toEqual({ displayField: "firstName", displayFields: ["firstName", "lastName"], listView: ["firstName", "lastName", "seniority"], editForm: ["firstName", "lastName", "seniority"] });
  });

  it("reports a bad display field list or list column, naming model and key", () => {
    const schemaWith = (ui: object) => () =>
      defineSchema({
        models: {
          Company: model({ fields: { name: f.string() }, relationships: { people: hasMany("Person", { foreignKey: "companyId" }) } }),
          Person: model({ fields: { firstName: f.string(), companyId: f.id() }, relationships: { company: belongsTo("Company", { foreignKey: "companyId" }) }, ui }),
        },
      } as never);
    expect(() => schemaWith({ displayField: ["firstName"], listView: ["firstName", "company"] })()).not.toThrow();
    expectIssue(schemaWith({ displayField: ["firstName", "nope"] }), "Person", "ui.displayField[1]", /unknown field 'nope'/);
    expectIssue(schemaWith({ listView: ["firstName", "employer"] }), "Person", "ui.listView[1]", /unknown field 'employer'/);
  });
});
