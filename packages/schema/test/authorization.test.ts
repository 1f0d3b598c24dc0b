// Authorisation declared in the schema: row rules, field access and policies, in both forms, with
// load errors naming model and key, and the permission list.
import { describe, expect, it } from "vitest";
import { belongsTo, defineEnum, defineSchema, f, hasMany, listPermissions, model, normaliseSchema, type RawSchema } from "@tessera/schema";
import { schema as crm } from "../../../apps/crm/schema.ts";
import { expectIssue, loadSource } from "./helpers/issues.ts";

const Stage = defineEnum("Stage", ["open", "won"]);
const base = (company: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => (): unknown =>
  defineSchema({
    config,
    models: {
      User: model({ tenantScoped: false, fields: { name: f.string() }, relationships: { companies: hasMany("Company", { foreignKey: "ownerId" }) } }),
      Company: model({
        fields: { name: f.string().required(), stage: f.enum(Stage), ownerId: f.id(), revenue: f.money() },
        relationships: { owner: belongsTo("User", { foreignKey: "ownerId" }) },
        ...company,
      } as never),
    },
  } as never).ir;

describe("authorisation keys in the IR", () => {
  it("normalises row rules, field access (write defaults to read) and policies", () => {
    const ir = base(
      {
        rowRules: { read: [{ roles: "Sales|Viewer", where: { OR: [{ ownerId: "$principal.sub" }, { owner: { name_in: ["x"] } }] } }] },
        fieldAccess: { revenue: { read: "manager|admin" }, name: { write: "admin" } },
      },
      { permissionPrefix: "acme.crm", policies: [{ effect: "deny", actions: ["delete"], resources: ["acme.crm.company"], when: { stage: "won" } }] },
    )() as ReturnType<typeof normaliseSchema>;
    const company = ir.models.find((m) => m.name === "Company")!;
    expect(company.rowRules).toEqual({
      read: [{ roles: ["sales", "viewer"], where: { OR: [{ ownerId: "$principal.sub" }, { owner: { name_in: ["x"] } }] } }],
      update: [],
      delete: [],
    });
    expect(company.fieldAccess).toEqual([
      { field: "revenue", read: ["manager", "admin"], write: ["manager", "admin"] },
      { field: "name", read: ["public"], write: ["admin"] },
    ]);
    expect(ir.config.permissionPrefix).toBe("acme.crm");
    expect(ir.config.policies).toEqual([{ effect: "deny", actions: ["delete"], resources: ["acme.crm.company"], roles: null, when: { stage: "won" } }]);
  });

  it("gives the same IR from the interface form", () => {
    const source = `
import type { ID, Money } from "@tessera/schema";
export enum Stage { open = "open", won = "won" }
export interface User { name?: string }
export interface Company { name: string; stage?: Stage; ownerId?: ID; revenue?: Money }
export const schema = {
  config: { policies: [{ effect: "allow", actions: ["read"], resources: ["crm.company"], roles: "viewer", when: { stage: Stage.won } }] },
  models: {
    User: { tenantScoped: false, relationships: { companies: { type: "hasMany", model: "Company", foreignKey: "ownerId" } } },
    Company: {
      relationships: { owner: { type: "belongsTo", model: "User", foreignKey: "ownerId" } },
      rowRules: { update: [{ roles: "sales", where: { ownerId: "$principal.sub" } }] },
      fieldAccess: { revenue: { read: "manager" } },
    },
  },
};`;
    const dsl = base(
      { rowRules: { update: [{ roles: "sales", where: { ownerId: "$principal.sub" } }] }, fieldAccess: { revenue: { read: "manager" } } },
      { policies: [{ effect: "allow", actions: ["read"], resources: ["crm.company"], roles: "viewer", when: { stage: "won" } }] },
    )();
    expect(loadSource(source)).toEqual(dsl);
  });
});

describe("authorisation load errors name model and key", () => {
  it("rejects row-rule wheres with unknown fields, relationships, operators, enum values and placeholders", () => {
    const rule = (where: Record<string, unknown>) => base({ rowRules: { read: [{ roles: "sales", where }] } });
    expectIssue(rule({ ownerID: "$principal.sub" }), "Company", "rowRules.read[0].where.ownerID", /no field or relationship 'ownerID'/);
    expectIssue(rule({ owner: { nick: "x" } }), "Company", "rowRules.read[0].where.owner.nick", /User has no field/);
    expectIssue(rule({ revenue_contains: "1" }), "Company", "rowRules.read[0].where.revenue_contains", /_contains is not available for money/);
    expectIssue(rule({ stage: "WON" }), "Company", "rowRules.read[0].where.stage", /not a value of enum Stage/);
    expectIssue(rule({ ownerId: "$principal.id" }), "Company", "rowRules.read[0].where.ownerId", /unknown placeholder/);
    expectIssue(rule({ ownerId: "$principal.teams" }), "Company", "rowRules.read[0].where.ownerId", /is a list/);
    expectIssue(rule({ ownerId_in: "$principal.sub" }), "Company", "rowRules.read[0].where.ownerId_in", /single value/);
  });

  it("rejects bad row-rule shapes, role lists, actions and field access", () => {
    expectIssue(base({ rowRules: { create: [] } }), "Company", "rowRules.create", /unknown key/);
    expectIssue(base({ rowRules: { read: [{ roles: "sales", where: {}, extra: 1 }] } }), "Company", "rowRules.read[0].extra", /unknown key/);
    expectIssue(base({ rowRules: { read: [{ roles: "", where: {} }] } }), "Company", "rowRules.read[0].roles", /role list/);
    expectIssue(base({ rowRules: { read: { roles: "sales" } } }), "Company", "rowRules.read", /list/);
    expectIssue(base({ fieldAccess: { nope: { read: "admin" } } }), "Company", "fieldAccess.nope", /unknown field/);
    expectIssue(base({ fieldAccess: { name: { see: "admin" } } }), "Company", "fieldAccess.name.see", /unknown key/);
    expectIssue(base({ fieldAccess: { name: { read: "bad role!" } } }), "Company", "fieldAccess.name.read", /not a valid role/);
  });

  it("rejects bad policies", () => {
    const policy = (p: Record<string, unknown>) => base({}, { policies: [{ effect: "deny", actions: ["delete"], resources: ["crm.company"], ...p }] });
    expectIssue(policy({ effect: "block" }), "config", "policies[0].effect", /allow" or "deny/);
    expectIssue(policy({ actions: ["remove"] }), "config", "policies[0].actions[0]", /unknown action/);
    expectIssue(policy({ resources: ["crm.dael"] }), "config", "policies[0].resources", /no model matches/);
    expectIssue(policy({ when: { stage_gt: "won" } }), "config", "policies[0].when.stage_gt", /not available for enum/);
    expectIssue(policy({ unless: {} }), "config", "policies[0].unless", /unknown key/);
    expectIssue(base({}, { permissionPrefix: "Bad Prefix" }), "config", "permissionPrefix", /lower-case/);
  });

  it("names the key in the interface form too", () => {
    const source = `
export interface Company { name: string }
export const schema = { models: { Company: { rowRules: { read: [{ roles: "sales", where: { owner: "x" } }] } } } };`;
    expectIssue(() => loadSource(source), "Company", "rowRules.read[0].where.owner", /no field or relationship/);
  });
});

describe("listPermissions", () => {
  it("lists crm.<model>.<action> with the roles of the matrix and of allow policies", () => {
    const permissions = listPermissions(crm.ir);
    expect(permissions).toHaveLength(crm.ir.models.length * 4);
    expect(permissions).toContainEqual({ name: "crm.deal.delete", model: "Deal", action: "delete", roles: ["admin", "manager"] });
    expect(permissions).toContainEqual({ name: "crm.socialevent.create", model: "SocialEvent", action: "create", roles: ["admin", "manager", "sales"] });
    const raw: RawSchema = { ...crm.raw, config: { ...crm.raw.config, policies: [{ effect: "allow", actions: ["read"], resources: ["crm.tag"], roles: "viewer" }] } };
    expect(listPermissions(normaliseSchema(raw))).toContainEqual({ name: "crm.tag.read", model: "Tag", action: "read", roles: ["authenticated", "viewer"] });
  });
});
