// Every load error names the model and the key, in both schema forms.
import { describe, expect, it } from "vitest";
import { belongsTo, defineEnum, defineSchema, f, model, type RawSchema } from "@tessera/schema";
import { expectIssue, issuesOf, loadSource } from "./helpers/issues.ts";

// ---- DSL form: a small valid schema, and a way to break it -------------------------------------
const Size = defineEnum("Size", ["small", "large"]);
const company = (extra: Record<string, unknown> = {}, fields: Record<string, unknown> = {}) =>
  model({ fields: { name: f.string().required(), size: f.enum(Size), ...fields }, ...extra } as never);
const contact = (extra: Record<string, unknown> = {}) =>
  model({
    fields: { firstName: f.string().required(), companyId: f.id() },
    relationships: { company: belongsTo("Company", { foreignKey: "companyId" }) },
    ...extra,
  } as never);
const dsl = (models: Record<string, unknown>) => (): unknown => defineSchema({ models } as never);

// ---- interface form: the same schema as source text ---------------------------------------------
const source = (o: { company?: string; contact?: string; companyFields?: string; extra?: string }): string => `
import type { ID } from "@tessera/schema";
export enum Size { small = "small", large = "large" }
export interface Company { name: string; size?: Size; ${o.companyFields ?? ""} }
export interface Contact { firstName: string; companyId?: ID }
${o.extra ?? ""}
export const schema = {
  models: {
    Company: { ${o.company ?? ""} },
    Contact: { ${o.contact ?? `relationships: { company: { type: "belongsTo", model: "Company", foreignKey: "companyId" } }`} },
  },
};`;
const iface = (o: Parameters<typeof source>[0]) => (): unknown => loadSource(source(o));

describe("the base schemas are valid", () => {
  it("loads both forms to the same IR", () => {
    const a = defineSchema({ models: { Company: company(), Contact: contact() } } as never).ir;
    expect(loadSource(source({}))).toEqual(a);
  });
});

describe("load errors name model and key", () => {
  it("unknown model key", () => {
    expectIssue(dsl({ Company: company({ colour: "red" }), Contact: contact() }), "Company", "colour", /unknown key 'colour'/);
    expectIssue(iface({ company: `colour: "red"` }), "Company", "colour", /unknown key 'colour'/);
  });

  it("unknown top-level key", () => {
    expectIssue(() => defineSchema({ models: { Company: company(), Contact: contact() }, extra: 1 } as never), "schema", "extra");
    expectIssue(() => loadSource(source({}).replace("models: {", "extra: 1,\n  models: {")), "schema", "extra");
  });

  it("unknown field key", () => {
    expectIssue(dsl({ Company: company({}, { code: { type: "string", size: 3 } }), Contact: contact() }), "Company", "fields.code.size");
    expectIssue(dsl({ Company: company({ validation: { nmae: "max:3" } }), Contact: contact() }), "Company", "validation.nmae", /unknown field 'nmae'/);
    expectIssue(iface({ company: `validation: { nmae: "max:3" }` }), "Company", "validation.nmae", /unknown field 'nmae'/);
    expectIssue(iface({ company: `defaults: { nmae: "x" }` }), "Company", "defaults.nmae", /unknown field 'nmae'/);
    expectIssue(iface({ company: `columns: { nmae: "x" }` }), "Company", "columns.nmae", /unknown field 'nmae'/);
  });

  it("unknown rule", () => {
    expectIssue(dsl({ Company: company({}, { email: f.string().rules("emial") }), Contact: contact() }), "Company", "fields.email.rules", /unknown rule 'emial'/);
    expectIssue(dsl({ Company: company({ validation: { name: "required|emial" } }), Contact: contact() }), "Company", "validation.name", /unknown rule 'emial'/);
    expectIssue(iface({ company: `validation: { name: "max:255|emial" }` }), "Company", "validation.name", /unknown rule 'emial'/);
  });

  it("required_if naming an unknown field, a value the field cannot hold, or a field it cannot compare", () => {
    const withCode = { code: f.string(), active: f.boolean(), founded: f.date() };
    expectIssue(dsl({ Company: company({ validation: { code: "required_if:sise,large" } }, withCode), Contact: contact() }), "Company", "validation.code", /unknown field 'sise' of Company/);
    expectIssue(iface({ companyFields: "code?: string;", company: `validation: { code: "required_if:sise,large" }` }), "Company", "validation.code", /unknown field 'sise' of Company/);
    expectIssue(dsl({ Company: company({ validation: { code: "required_if:size,huge" } }, withCode), Contact: contact() }), "Company", "validation.code", /lists huge, not values size can hold/);
    expectIssue(iface({ companyFields: "code?: string;", company: `validation: { code: "required_if:size,large,huge" }` }), "Company", "validation.code", /lists huge/);
    expectIssue(dsl({ Company: company({ validation: { code: "required_if:active,yes" } }, withCode), Contact: contact() }), "Company", "validation.code", /lists yes/);
    expectIssue(dsl({ Company: company({ validation: { code: "required_if:founded,2020-01-01" } }, withCode), Contact: contact() }), "Company", "validation.code", /compares founded, a date field/);
    expectIssue(dsl({ Company: company({ validation: { code: "required_if:code,x" } }, withCode), Contact: contact() }), "Company", "validation.code", /another field than code itself/);
  });

  it("required_if loads to the same IR in both forms, whatever the order of the rules", () => {
    const a = defineSchema({ models: { Company: company({ validation: { code: "required_if:size,small|required_if:name,Acme|max:10" } }, { code: f.string() }), Contact: contact() } } as never).ir;
    const b = loadSource(source({ companyFields: "code?: string;", company: `validation: { code: "max:10|required_if:name,Acme|required_if:size,small" }` }));
    expect(b).toEqual(a);
    expect(a.models.find((m) => m.name === "Company")!.fields.find((x) => x.name === "code")!.rules).toEqual([
      { kind: "max", value: 10 },
      { kind: "required_if", field: "name", values: ["Acme"] },
      { kind: "required_if", field: "size", values: ["small"] },
    ]);
  });

  it("relationship to a missing model", () => {
    const rel = { relationships: { company: belongsTo("Compnay", { foreignKey: "companyId" }) } };
    expectIssue(dsl({ Company: company(), Contact: contact(rel) }), "Contact", "relationships.company.model", /unknown model 'Compnay'/);
    expectIssue(
      iface({ contact: `relationships: { company: { type: "belongsTo", model: "Compnay", foreignKey: "companyId" } }` }),
      "Contact", "relationships.company.model", /unknown model 'Compnay'/,
    );
  });

  it("belongsTo with a missing foreign key field", () => {
    const rel = { relationships: { company: belongsTo("Company", { foreignKey: "companyRef" }) } };
    expectIssue(dsl({ Company: company(), Contact: contact(rel) }), "Contact", "relationships.company.foreignKey", /'companyRef' is not a field of Contact/);
    expectIssue(
      iface({ contact: `relationships: { company: { type: "belongsTo", model: "Company", foreignKey: "companyRef" } }` }),
      "Contact", "relationships.company.foreignKey", /'companyRef' is not a field of Contact/,
    );
  });

  it("bad enum default", () => {
    expectIssue(dsl({ Company: company({}, { size: f.enum(Size).default("huge" as never) }), Contact: contact() }), "Company", "fields.size.default", /'huge' is not a value of enum Size/);
    expectIssue(iface({ company: `defaults: { size: "huge" }` }), "Company", "fields.size.default", /'huge' is not a value of enum Size/);
  });

  it("reserved field name", () => {
    expectIssue(dsl({ Company: company({}, { createdAt: f.datetime() }), Contact: contact() }), "Company", "fields.createdAt", /reserved/);
    // The interface form may declare the system fields the record carries (checked, then left to
    // Tessera); tenantId is not part of the record, so it stays reserved.
    expectIssue(iface({ companyFields: "tenantId: ID;" }), "Company", "fields.tenantId", /reserved/);
    expectIssue(iface({ companyFields: "createdAt: boolean;" }), "Company", "fields.createdAt", /declare it Date, DateTime or string, not boolean/);
  });

  it("searchable non-text field", () => {
    expectIssue(dsl({ Company: company({ searchable: ["size"] }), Contact: contact() }), "Company", "searchable[0]", /only string and text/);
    expectIssue(iface({ company: `searchable: ["name", "size"]` }), "Company", "searchable[1]", /only string and text/);
  });

  it("unknown ui field and ui key", () => {
    expectIssue(dsl({ Company: company({ ui: { listView: ["name", "nope"] } }), Contact: contact() }), "Company", "ui.listView[1]", /unknown field 'nope'/);
    expectIssue(iface({ company: `ui: { listView: ["name", "nope"] }` }), "Company", "ui.listView[1]", /unknown field 'nope'/);
    expectIssue(iface({ company: `ui: { displayField: "nope" }` }), "Company", "ui.displayField", /unknown field 'nope'/);
    expectIssue(iface({ company: `ui: { colour: "red" }` }), "Company", "ui.colour", /unknown key/);
  });

  it("duplicate table", () => {
    expectIssue(dsl({ Company: company(), Contact: contact({ tableName: "companies" }) }), "Contact", "tableName", /also used by Company/);
    expectIssue(iface({ company: `tableName: "people"`, contact: `tableName: "people"` }), "Contact", "tableName", /also used by Company/);
  });

  it("a model key of the wrong shape is reported, not crashed on or ignored", () => {
    expectIssue(iface({ company: `searchable: "name"` }), "Company", "searchable", /must be a list/);
    expectIssue(iface({ company: `access: "admin"` }), "Company", "access", /must be an object/);
  });

  it("collects every problem at once", () => {
    const issues = issuesOf(iface({ company: `colour: "red", searchable: ["size"], validation: { name: "emial" }` }));
    expect(issues.map((i) => `${i.model}.${i.key}`)).toEqual(expect.arrayContaining(["Company.colour", "Company.searchable[0]", "Company.validation.name"]));
  });

  it("the DSL passes a field that is not a builder through, so its bad type is reported", () => {
    const raw: RawSchema = { models: { Company: { fields: { name: { type: "strnig" as never } } } } };
    expectIssue(() => defineSchema(raw as never), "Company", "fields.name.type", /unknown field type 'strnig'/);
  });
});

describe("global models (tenantScoped: false) hold platform data no tenant role may write or list across tenants", () => {
  const person = (extra: Record<string, unknown>) =>
    model({ tenantScoped: false, fields: { name: f.string().required() }, ...extra } as never);
  const load = (extra: Record<string, unknown>, config: Record<string, unknown> = {}) => (): unknown =>
    defineSchema({ config, models: { Person: person(extra), Company: company() } } as never);

  it("refuses write access or write rules, naming the key", () => {
    expectIssue(load({ access: { update: "admin" } }), "Person", "access.update", /global .*no tenant role may update/);
    expectIssue(load({ access: { create: "authenticated" } }), "Person", "access.create", /global/);
    expectIssue(load({ access: { delete: "admin" } }), "Person", "access.delete", /global/);
    expectIssue(load({ rowRules: { update: [{ roles: "admin", where: {} }] } }), "Person", "rowRules.update", /cannot be written/);
  });

  it("needs a read rule for every role that may read it", () => {
    expectIssue(load({ access: { read: "authenticated" } }), "Person", "rowRules.read", /which rows a tenant's principals see/);
    expectIssue(load({ access: { read: "sales|admin" }, rowRules: { read: [{ roles: "sales", where: {} }] } }), "Person", "rowRules.read", /lets admin read it/);
    const ir = load({ access: { read: "sales|admin" }, rowRules: { read: [{ roles: "authenticated", where: {} }] } })() as { ir: { models: { name: string; access: unknown }[] } };
    expect(ir.ir.models.find((m) => m.name === "Person")!.access).toEqual({ read: ["sales", "admin"], create: [], update: [], delete: [] });
  });

  it("refuses an allow policy that covers it", () => {
    const policies = [{ effect: "allow", actions: ["read"], resources: ["app.*"], roles: "auditor" }];
    expectIssue(load({}, { permissionPrefix: "app", policies }), "config", "policies[0]", /allows Person, which is global/);
  });

  it("defaults to no access at all for tenant roles", () => {
    const ir = load({})() as { ir: { models: { name: string; access: unknown }[] } };
    expect(ir.ir.models.find((m) => m.name === "Person")!.access).toEqual({ read: [], create: [], update: [], delete: [] });
  });
});

describe("platform identity models (User, Team, Membership) every app has", () => {
  it("are added to a schema that declares none", () => {
    const ir = defineSchema({ models: { Company: company() } } as never).ir;
    expect(ir.models.map((m) => m.name)).toEqual(["Company", "User", "Team", "Membership"]);
    const user = ir.models.find((m) => m.name === "User")!;
    expect(user.tenantScoped).toBe(false);
    expect(user.rowRules.read).toHaveLength(1);
    expect(ir.models.find((m) => m.name === "Membership")!.fields.find((f) => f.name === "role")!.type).toBe("string");
  });

  it("are extended by an app's declaration: its fields and ui join the platform's", () => {
    const Role = defineEnum("Role", ["reader", "editor"]);
    const ir = defineSchema({
      models: {
        Company: company(),
        User: model({ fields: { phone: f.string().max(40) }, ui: { displayField: "email" } } as never),
        Membership: model({ fields: { role: f.enum(Role).required() } } as never),
      },
    } as never).ir;
    const user = ir.models.find((m) => m.name === "User")!;
    expect(user.fields.map((f) => f.name)).toEqual(expect.arrayContaining(["email", "name", "avatarUrl", "active", "phone"]));
    expect(user.ui.displayField).toBe("email");
    expect(user.relations.map((r) => r.name)).toContain("memberships");
    expect(ir.models.find((m) => m.name === "Membership")!.fields.find((f) => f.name === "role")).toMatchObject({ type: "enum", enum: "Role" });
  });

  it("refuse a change of a platform field's type, or of tenant scoping, naming model and key", () => {
    expectIssue(dsl({ Company: company(), User: model({ fields: { email: f.int() } } as never) }), "User", "fields.email", /platform field of type string/);
    expectIssue(dsl({ Company: company(), Team: model({ tenantScoped: false, fields: {} } as never) }), "Team", "tenantScoped", /platform model and is tenant-scoped/);
  });
});

describe("defaults from the request", () => {
  it("reads default: \"$principal.sub\" on an id field as the creating user, never as a literal", () => {
    const ir = defineSchema({ models: { Company: company({}, { ownerId: f.id().default("$principal.sub") }) } } as never).ir;
    const owner = ir.models.find((m) => m.name === "Company")!.fields.find((x) => x.name === "ownerId")!;
    expect(owner.defaultFrom).toBe("$principal.sub");
    expect(owner.default).toBeUndefined();
  });

  it("refuses it on a field that is not an id, and an unknown placeholder, naming the key", () => {
    expectIssue(dsl({ Company: company({}, { note: f.string().default("$principal.sub") }), Contact: contact() }), "Company", "fields.note.default", /only an id field/);
    expectIssue(dsl({ Company: company({}, { ownerId: f.id().default("$principal.email") }), Contact: contact() }), "Company", "fields.ownerId.default", /not a default the platform knows/);
  });
});
