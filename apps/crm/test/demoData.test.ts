import { describe, expect, it } from "vitest";
import { schema } from "@tessera/crm";
import type { FieldIR, ModelIR } from "@tessera/schema";
import { DEMO_DATA_ORDER, DEMO_USERS, demoDataCounts, generateDemoData, type DemoData } from "../seed/index.ts";

type Row = Record<string, unknown>;

const TENANT = "00000000-0000-4000-8000-000000000001";
const data = generateDemoData({ tenantId: TENANT, seed: 42 });

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MONEY = /^\d+\.\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function modelIR(name: string): ModelIR {
  const found = schema.ir.models.find((m) => m.name === name);
  if (!found) throw new Error(`model ${name} not in IR`);
  return found;
}

function rowsOf(d: DemoData, key: keyof DemoData): Row[] {
  return d[key] as unknown as Row[];
}

const enumValues = new Map(schema.ir.enums.map((e) => [e.name, new Set(e.values)]));

/** Checks one value against the IR field: type shape, enum membership and validation rules. */
function fieldProblems(field: FieldIR, value: unknown): string[] {
  const problems: string[] = [];
  if (value === null || value === undefined) {
    if (field.required) problems.push("required but missing");
    return problems;
  }
  switch (field.type) {
    case "id":
      if (typeof value !== "string" || !UUID_V4.test(value)) problems.push(`not a uuid: ${String(value)}`);
      break;
    case "string":
    case "text":
      if (typeof value !== "string") problems.push("not a string");
      break;
    case "int":
      if (!Number.isInteger(value)) problems.push("not an int");
      break;
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value)) problems.push("not a float");
      break;
    case "money":
    case "decimal":
      if (typeof value !== "string" || !MONEY.test(value)) problems.push(`not a 2-decimal string: ${String(value)}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") problems.push("not a boolean");
      break;
    case "date":
      if (typeof value !== "string" || !DATE.test(value) || Number.isNaN(Date.parse(value))) problems.push(`bad date ${String(value)}`);
      break;
    case "datetime":
      if (typeof value !== "string" || !DATETIME.test(value) || new Date(value).toISOString() !== value) problems.push(`bad datetime ${String(value)}`);
      break;
    case "json":
      if (typeof value !== "object") problems.push("json is not an object");
      break;
    case "enum": {
      const allowed = enumValues.get(field.enum ?? "");
      if (!allowed || typeof value !== "string" || !allowed.has(value)) problems.push(`enum ${field.enum}: ${String(value)}`);
      break;
    }
    case "array":
      if (!Array.isArray(value)) problems.push("not an array");
      else if (field.items?.type === "string" && value.some((v) => typeof v !== "string")) problems.push("array item not a string");
      else if (field.items?.type === "enum" && value.some((v) => !enumValues.get(field.items?.enum ?? "")?.has(v as string))) problems.push("array item not in enum");
      break;
  }
  for (const rule of field.rules) {
    const numeric = typeof value === "number" ? value : typeof value === "string" && (field.type === "money" || field.type === "decimal") ? Number(value) : undefined;
    switch (rule.kind) {
      case "max":
        if (typeof value === "string" && numeric === undefined && value.length > rule.value) problems.push(`longer than ${rule.value}`);
        if (numeric !== undefined && numeric > rule.value) problems.push(`above ${rule.value}`);
        break;
      case "min":
        if (typeof value === "string" && numeric === undefined && value.length < rule.value) problems.push(`shorter than ${rule.value}`);
        if (numeric !== undefined && numeric < rule.value) problems.push(`below ${rule.value}`);
        break;
      case "email":
        if (typeof value !== "string" || !EMAIL.test(value)) problems.push(`bad email ${String(value)}`);
        break;
      case "url":
        if (typeof value !== "string" || !value.startsWith("https://") || !URL.canParse(value)) problems.push(`bad url ${String(value)}`);
        break;
      case "regex":
        if (typeof value !== "string" || !new RegExp(rule.pattern).test(value)) problems.push(`does not match ${rule.pattern}: ${String(value)}`);
        break;
      default:
        break;
    }
  }
  return problems;
}

describe("generateDemoData", () => {
  it("is deterministic: same options give deep-equal, byte-identical output", () => {
    const again = generateDemoData({ tenantId: TENANT, seed: 42 });
    expect(again).toEqual(data);
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
  });

  it("differs for a different seed, and uses different ids for a different tenant", () => {
    const other = generateDemoData({ tenantId: TENANT, seed: 43 });
    expect(other).not.toEqual(data);
    expect(other.deals.map((d) => d.id)).not.toEqual(data.deals.map((d) => d.id));

    const otherTenant = generateDemoData({ tenantId: "00000000-0000-4000-8000-000000000002", seed: 42 });
    const ids = new Set(DEMO_DATA_ORDER.filter((o) => o.key !== "users").flatMap((o) => rowsOf(data, o.key).map((r) => r.id)));
    const clashes = DEMO_DATA_ORDER.filter((o) => o.key !== "users").flatMap((o) => rowsOf(otherTenant, o.key).filter((r) => ids.has(r.id)));
    expect(clashes).toEqual([]);
    // Users are platform-level: their ids depend on the email only.
    expect(otherTenant.users).toEqual(data.users);
    expect(otherTenant.contacts.map((c) => c.email)).toEqual(data.contacts.map((c) => c.email));
  });

  it("produces the default counts at scale 1", () => {
    const counts = Object.fromEntries(DEMO_DATA_ORDER.map((o) => [o.key, data[o.key].length]));
    expect(counts).toMatchObject({
      users: 4,
      teams: 2,
      memberships: 4,
      tags: 10,
      pipelines: 2,
      stages: 12,
      companies: 50,
      contacts: 200,
      deals: 150,
      activities: 500,
      leads: 30,
      tickets: 25,
      quotes: 20,
    });
    expect(data.quoteItems.length).toBeGreaterThanOrEqual(20);
    expect(data.quoteItems.length).toBeLessThanOrEqual(80);
    expect(generateDemoData({ tenantId: TENANT }).deals).toHaveLength(150);
    expect(demoDataCounts()).toEqual(demoDataCounts(1));
  });

  it("lists every model key once, in an order where every belongsTo target comes first", () => {
    expect(DEMO_DATA_ORDER.map((o) => o.key).sort()).toEqual(Object.keys(data).sort());
    const seen = new Set<string>();
    for (const { model } of DEMO_DATA_ORDER) {
      for (const rel of modelIR(model).relations) {
        if (rel.kind !== "belongsTo" || rel.target === model) continue;
        // Activity.ticketId is left null because tickets are inserted after activities.
        if (model === "Activity" && rel.target === "Ticket") continue;
        expect(seen.has(rel.target), `${model} → ${rel.target}`).toBe(true);
      }
      seen.add(model);
    }
  });

  it("uses exactly the API field names of the schema, with valid values for every field and rule", () => {
    const problems: string[] = [];
    for (const { key, model } of DEMO_DATA_ORDER) {
      const ir = modelIR(model);
      const declared = ir.fields.filter((f) => !f.system);
      const expectedKeys = [ir.primaryKey, ...declared.map((f) => f.name)].sort();
      const rows = rowsOf(data, key);
      expect(rows.length, model).toBeGreaterThan(0);
      for (const row of rows) {
        expect(Object.keys(row).sort(), model).toEqual(expectedKeys);
        if (typeof row.id !== "string" || !UUID_V4.test(row.id)) problems.push(`${model}.id ${String(row.id)}`);
        for (const field of declared) {
          for (const p of fieldProblems(field, row[field.name])) problems.push(`${model}.${field.name}: ${p}`);
        }
      }
      for (const field of declared.filter((f) => f.rules.some((r) => r.kind === "unique"))) {
        const values = rows.map((r) => r[field.name]).filter((v) => v !== null);
        if (new Set(values).size !== values.length) problems.push(`${model}.${field.name} not unique`);
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it("has unique ids across all records", () => {
    const ids = DEMO_DATA_ORDER.flatMap((o) => rowsOf(data, o.key).map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("only refers to records that exist (every belongsTo foreign key)", () => {
    const idsByModel = new Map(DEMO_DATA_ORDER.map((o) => [o.model, new Set(rowsOf(data, o.key).map((r) => r.id))]));
    const dangling: string[] = [];
    let checked = 0;
    for (const { key, model } of DEMO_DATA_ORDER) {
      for (const rel of modelIR(model).relations) {
        if (rel.kind !== "belongsTo") continue;
        const targets = idsByModel.get(rel.target);
        for (const row of rowsOf(data, key)) {
          const value = row[rel.foreignKey];
          if (value === null) continue;
          checked++;
          if (!targets?.has(value as string)) dangling.push(`${model}.${rel.foreignKey} = ${String(value)}`);
        }
      }
    }
    expect(dangling).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it("has the demo users, teams and memberships", () => {
    expect(DEMO_USERS.map((u) => [u.email, u.name, u.role])).toEqual([
      ["ana@demo.tessera.dev", "Ana Álvarez", "admin"],
      ["bruno@demo.tessera.dev", "Bruno Müller", "manager"],
      ["chloe@demo.tessera.dev", "Chloé Dubois", "sales"],
      ["dan@demo.tessera.dev", "Dan O'Brien", "viewer"],
    ]);
    expect(data.users.map((u) => [u.id, u.email, u.name])).toEqual(DEMO_USERS.map((u) => [u.id, u.email, u.name]));
    expect(data.memberships.map((m) => [m.userId, m.role])).toEqual(DEMO_USERS.map((u) => [u.id, u.role]));
  });

  it("has the Sales and Partnerships pipelines with six ordered stages each", () => {
    expect(data.pipelines.map((p) => [p.name, p.isDefault])).toEqual([
      ["Sales", true],
      ["Partnerships", false],
    ]);
    for (const pipeline of data.pipelines) {
      const stages = data.stages.filter((s) => s.pipelineId === pipeline.id);
      expect(stages.map((s) => [s.key, s.position, s.probability, s.kind])).toEqual([
        ["lead", 0, 10, "open"],
        ["qualified", 1, 25, "open"],
        ["proposal", 2, 50, "open"],
        ["negotiation", 3, 75, "open"],
        ["won", 4, 100, "won"],
        ["lost", 5, 0, "lost"],
      ]);
    }
  });

  it("has unique emails, accented names and José García", () => {
    const emails = [...data.users, ...data.contacts, ...data.leads].map((r) => r.email).filter((e): e is string => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
    expect(data.contacts.some((c) => c.firstName === "José" && c.lastName === "García")).toBe(true);
    const names = data.contacts.map((c) => `${c.firstName} ${c.lastName ?? ""}`).join(" ");
    for (const part of ["Zoë", "Søren", "François", "Łukasz", "Ñuño", "Ångström", "Müller"]) expect(names).toContain(part);
  });

  it("spreads deals over every stage of both pipelines with unique positions per stage", () => {
    for (const pipeline of data.pipelines) {
      const stages = new Set(data.deals.filter((d) => d.pipelineId === pipeline.id).map((d) => d.stage));
      expect([...stages].sort()).toEqual(["lead", "lost", "negotiation", "proposal", "qualified", "won"]);
    }
    for (const stage of new Set(data.deals.map((d) => d.stage))) {
      const positions = data.deals.filter((d) => d.stage === stage).map((d) => d.position);
      expect(new Set(positions).size, stage).toBe(positions.length);
    }
  });

  it("keeps deals consistent with their contact, owner and stage", () => {
    const contacts = new Map(data.contacts.map((c) => [c.id, c]));
    const sellers = new Set(DEMO_USERS.filter((u) => u.role === "sales" || u.role === "manager").map((u) => u.id));
    for (const deal of data.deals) {
      expect(deal.companyId).toBe(contacts.get(deal.contactId)?.companyId);
      expect(sellers.has(deal.ownerId)).toBe(true);
      const value = Number(deal.value);
      expect(value).toBeGreaterThanOrEqual(1000);
      expect(value).toBeLessThanOrEqual(250000);
      expect(deal.actualCloseDate !== null).toBe(deal.stage === "won" || deal.stage === "lost");
      expect(deal.lostReason !== null).toBe(deal.stage === "lost");
    }
  });

  it("covers every activity type and link kind, all in the past or future relative to 2026-01-01", () => {
    expect(new Set(data.activities.map((a) => a.type))).toEqual(new Set(["note", "call", "meeting", "email", "task"]));
    expect(data.activities.some((a) => a.dealId !== null)).toBe(true);
    expect(data.activities.some((a) => a.dealId === null && a.contactId !== null)).toBe(true);
    expect(data.activities.some((a) => a.dealId === null && a.contactId === null && a.companyId !== null)).toBe(true);
    for (const a of data.activities) {
      expect(a.contactId ?? a.companyId ?? a.dealId).not.toBeNull();
      if (a.status === "done") expect(a.occurredAt! < "2026-01-01").toBe(true);
      if (a.status === "planned") expect(a.dueAt! >= "2026-01-01").toBe(true);
    }
  });

  it("gives every quote 1–4 items summing to its total and a unique number", () => {
    expect(data.quotes.map((q) => q.number).slice(0, 2)).toEqual(["Q-2026-0001", "Q-2026-0002"]);
    for (const quote of data.quotes) {
      const items = data.quoteItems.filter((i) => i.quoteId === quote.id);
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.length).toBeLessThanOrEqual(4);
      const cents = items.reduce((sum, i) => sum + Math.round(Number(i.quantity) * Number(i.unitPrice) * 100), 0);
      expect(Math.round(Number(quote.total) * 100)).toBe(cents);
      expect(quote.sentAt === null).toBe(quote.status === "draft");
    }
  });

  it("rejects bad options", () => {
    expect(() => generateDemoData({ tenantId: "" })).toThrow(TypeError);
    expect(() => generateDemoData({ tenantId: TENANT, scale: 0 })).toThrow(RangeError);
    expect(() => generateDemoData({ tenantId: TENANT, scale: 2.5 })).toThrow(RangeError);
  });

  it("produces 100000 deals at scale 100000 with scaled counts", () => {
    const big = generateDemoData({ tenantId: TENANT, scale: 100_000 });
    expect(big.deals).toHaveLength(100_000);
    expect(big.contacts).toHaveLength(20_000);
    expect(big.companies).toHaveLength(2_000);
    expect(big.activities).toHaveLength(25_000);
    const contactIds = new Set(big.contacts.map((c) => c.id));
    expect(big.deals.every((d) => contactIds.has(d.contactId))).toBe(true);
    const emails = big.contacts.map((c) => c.email).filter((e) => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
    const positions = new Set(big.deals.map((d) => `${d.stage}:${d.position}`));
    expect(positions.size).toBe(big.deals.length);
  });
});
