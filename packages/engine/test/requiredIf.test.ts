// `required_if` on a schema of its own (not the CRM): a field required only while another field has
// given values, checked on every write path on the row as it will be stored — create, createMany,
// update (the existing row overlaid with the change), updateMany, import batches, nested writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { belongsTo, defineEnum, defineSchema, f, hasMany, model } from "@tessera/schema";
import { Engine, EngineError, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TaskStatus = defineEnum("TaskStatus", ["open", "blocked", "done"]);
const schema = defineSchema({
  models: {
    Project: model({
      fields: { name: f.string().required() },
      relationships: { tasks: hasMany("Task", { foreignKey: "projectId" }) },
    }),
    Task: model({
      fields: {
        title: f.string().required(),
        status: f.enum(TaskStatus).required().default("open"),
        blockedBy: f.text(),
        doneOn: f.date(),
        urgent: f.boolean().default(false),
        labels: f.array(f.string()),
        projectId: f.id(),
      },
      relationships: { project: belongsTo("Project", { foreignKey: "projectId" }) },
      validation: {
        blockedBy: "required_if:status,blocked",
        doneOn: "required_if:status,blocked,done",
        labels: "required_if:urgent,true",
        projectId: "required_if:urgent,true",
      },
    }),
  },
});

const TENANT = "0c000000-0000-4000-8000-00000000f001";
const ctx: RequestContext = { tenantId: TENANT, principal: { sub: "00000000-0000-4000-8000-00000000f0a1", roles: ["admin"], kind: "user" } };
let db: CrmDatabase;
let engine: Engine;
let projectId: string;

beforeAll(async () => {
  db = await openCrmDatabase([TENANT], schema.ir);
  engine = new Engine({ schema: schema.ir, db: db.db, cache: false });
  projectId = (await engine.model("Project").create({ name: "Roof" }, ctx)).id as string;
});
afterAll(async () => {
  await db?.drop();
});

const tasks = () => engine.model("Task");
const countOf = async (name: string, where: Record<string, unknown>): Promise<number> => (await engine.model(name).findMany({ where }, ctx)).nodes.length;

/** The VALIDATION_FAILED errors of a refused write, as `path: message`. */
async function refused(write: () => Promise<unknown>): Promise<string[]> {
  const error = await write().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe("VALIDATION_FAILED");
  return (error as EngineError).fieldErrors.map((e) => `${e.path.join(".")}: ${e.message} (${e.rule})`);
}

async function eventCount(): Promise<number> {
  return Number((await db.db.query<{ n: string }>(`SELECT count(*) AS n FROM tessera_events`)).rows[0].n);
}

describe("required_if on create", () => {
  it("refuses a row whose condition holds without the value, and writes nothing", async () => {
    const events = await eventCount();
    expect(await refused(() => tasks().create({ title: "Fix", status: "blocked" }, ctx))).toEqual([
      "data.blockedBy: blockedBy is required when status is blocked (required_if)",
      "data.doneOn: doneOn is required when status is blocked or done (required_if)",
    ]);
    // An empty string is no value, as for `required`.
    expect(await refused(() => tasks().create({ title: "Fix", status: "blocked", blockedBy: "", doneOn: "2026-01-02" }, ctx))).toEqual([
      "data.blockedBy: blockedBy is required when status is blocked (required_if)",
    ]);
    expect(await eventCount()).toBe(events);
    expect(await countOf("Task", { title: "Fix" })).toBe(0);
  });

  it("accepts the row when the value is there or the condition does not hold (the default status included)", async () => {
    await expect(tasks().create({ title: "Blocked", status: "blocked", blockedBy: "Rain", doneOn: "2026-01-02" }, ctx)).resolves.toMatchObject({ status: "blocked" });
    await expect(tasks().create({ title: "Plain" }, ctx)).resolves.toMatchObject({ status: "open", blockedBy: null });
  });

  it("compares boolean conditions and treats an empty list as no value", async () => {
    expect(await refused(() => tasks().create({ title: "Hot", urgent: true, projectId, labels: [] }, ctx))).toEqual([
      "data.labels: labels is required when urgent is true (required_if)",
    ]);
    await expect(tasks().create({ title: "Hot", urgent: true, projectId, labels: ["roof"] }, ctx)).resolves.toMatchObject({ urgent: true });
  });

  it("createMany names each row that breaks a rule, and writes none of the batch", async () => {
    const rows = [{ title: "M1" }, { title: "M2", status: "done" }, { title: "M3", status: "done", doneOn: "2026-02-01" }, { title: "M4", urgent: true, labels: ["x"] }];
    expect(await refused(() => tasks().createMany(rows, ctx))).toEqual([
      "data.1.doneOn: doneOn is required when status is blocked or done (required_if)",
      "data.3.projectId: projectId is required when urgent is true (required_if)",
    ]);
    expect(await countOf("Task", { title_starts_with: "M" })).toBe(0);
    await expect(tasks().createMany([rows[0], rows[2]], ctx)).resolves.toEqual({ count: 2 });
  });
});

describe("required_if on update: the row as it will be after the change", () => {
  it("refuses setting the condition when the stored row lacks the value, in one statement", async () => {
    const task = await tasks().create({ title: "U1" }, ctx);
    const before = db.db.stats.statements;
    expect(await refused(() => tasks().update({ id: task.id }, { status: "done" }, ctx))).toEqual([
      "data.doneOn: doneOn is required when status is blocked or done (required_if)",
    ]);
    expect(db.db.stats.statements - before).toBe(1);
    expect(await tasks().findUnique({ id: task.id }, ctx)).toMatchObject({ status: "open", version: 1 });
    // The value stored earlier counts: set it first, then the condition alone passes.
    await tasks().update({ id: task.id }, { doneOn: "2026-03-01" }, ctx);
    await expect(tasks().update({ id: task.id }, { status: "done" }, ctx)).resolves.toMatchObject({ status: "done", doneOn: "2026-03-01" });
  });

  it("refuses clearing the value while the stored condition holds", async () => {
    const task = await tasks().create({ title: "U2", status: "blocked", blockedBy: "Rain", doneOn: "2026-01-02" }, ctx);
    expect(await refused(() => tasks().update({ id: task.id }, { blockedBy: null }, ctx))).toEqual([
      "data.blockedBy: blockedBy is required when status is blocked (required_if)",
    ]);
    expect(await refused(() => tasks().update({ id: task.id }, { blockedBy: "" }, ctx))).toHaveLength(1);
    // Leaving the condition and clearing the value together is fine.
    await expect(tasks().update({ id: task.id }, { status: "open", blockedBy: null }, ctx)).resolves.toMatchObject({ status: "open", blockedBy: null });
  });

  it("leaves an update of other fields alone, even on a row stored before the rule (it cannot break the rule)", async () => {
    const task = await tasks().create({ title: "Legacy", doneOn: "2026-01-02" }, ctx);
    // A row written behind the engine's back (as before a schema gained the rule).
    await db.db.query(`UPDATE tasks SET status = 'blocked' WHERE id = $1`, [task.id]);
    await expect(tasks().update({ id: task.id }, { title: "Legacy, renamed" }, ctx)).resolves.toMatchObject({ title: "Legacy, renamed", status: "blocked", blockedBy: null });
  });

  it("updateMany refuses the whole change when one matched row would break a rule", async () => {
    await tasks().createMany([{ title: "Many a", doneOn: "2026-01-02" }, { title: "Many b" }], ctx);
    expect(await refused(() => tasks().updateMany({ title_starts_with: "Many" }, { status: "done" }, ctx))).toEqual([
      "data.doneOn: doneOn is required when status is blocked or done (required_if)",
    ]);
    expect((await tasks().findMany({ where: { title_starts_with: "Many" } }, ctx)).nodes.map((t) => t.status)).toEqual(["open", "open"]);
    await expect(tasks().updateMany({ title_starts_with: "Many" }, { status: "done", doneOn: "2026-04-01" }, ctx)).resolves.toEqual({ count: 2 });
  });
});

describe("required_if in import batches", () => {
  it("rejects the rows that break a rule, creates and updates the others", async () => {
    const kept = await tasks().create({ title: "Import kept" }, ctx);
    const blocked = await tasks().create({ title: "Import blocked", status: "blocked", blockedBy: "Rain", doneOn: "2026-01-02" }, ctx);
    const results = await tasks().importBatch(
      [
        { title: "I1", status: "done" },
        { title: "I2", status: "done", doneOn: "2026-05-01" },
        { id: kept.id, status: "blocked", blockedBy: "Snow" },
        { id: kept.id, title: "Import kept, renamed" },
        { id: blocked.id, status: "done" },
      ],
      { ...ctx, principal: { ...ctx.principal!, kind: "user" } },
      { upsertBy: "id" },
    );
    expect(results.map((r) => r.status)).toEqual(["rejected", "created", "rejected", "updated", "updated"]);
    expect(results[0]).toMatchObject({ errors: [{ path: ["doneOn"], rule: "required_if", message: "doneOn is required when status is blocked or done" }] });
    expect(results[2]).toMatchObject({ errors: [{ path: ["doneOn"], rule: "required_if" }] });
    expect(await tasks().findUnique({ id: blocked.id }, ctx)).toMatchObject({ status: "done", doneOn: "2026-01-02" });
  });
});

describe("required_if in nested writes", () => {
  it("refuses a nested child breaking a rule and rolls the whole tree back", async () => {
    const error = await refused(() =>
      engine.write({ model: "Project", create: { name: "Tree", tasks: { create: [{ title: "T1" }, { title: "T2", status: "blocked", doneOn: "2026-01-02" }] } } }, ctx),
    );
    expect(error).toEqual(["data.tasks.create.1.blockedBy: blockedBy is required when status is blocked (required_if)"]);
    expect(await countOf("Project", { name: "Tree" })).toBe(0);
  });

  it("refuses disconnecting a child whose rule needs the reference", async () => {
    const urgent = await tasks().create({ title: "Pinned", urgent: true, labels: ["a"], projectId }, ctx);
    const error = await refused(() => engine.write({ model: "Project", update: { where: { id: projectId }, data: { tasks: { disconnect: [{ id: urgent.id }] } } } }, ctx));
    expect(error).toEqual(["data.tasks.disconnect.0.projectId: projectId is required when urgent is true (required_if)"]);
    expect(await tasks().findUnique({ id: urgent.id }, ctx)).toMatchObject({ projectId });
  });
});
