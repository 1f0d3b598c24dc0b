// The events of bulk writes (createMany, updateMany, deleteMany): one per row, each with its own
// row's before and after images, whatever the order the rows come back in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine, type RequestContext } from "@tessera/engine";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0c000000-0000-4000-8000-0000000000c1";
const admin: RequestContext = { tenantId: TENANT, principal: { sub: "ana", roles: ["admin"], kind: "user" } };

let crm: CrmDatabase;
let engine: Engine;

beforeAll(async () => {
  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db, cache: false });
});

afterAll(async () => {
  await crm?.drop();
});

async function lastEvent(email: string): Promise<{ type: string; version: number; changes: unknown; data: Record<string, unknown> }> {
  const contact = await engine.model("Contact").findUnique({ email }, { ...admin }, { deleted: "include" });
  const history = await engine.model("Contact").history(contact!.id as string, admin);
  return history.at(-1) as never;
}

describe("bulk write events", () => {
  it("pairs each row's before and after image", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ firstName: `Bulk ${i}`, email: `bulk${i}@events.test`, jobTitle: `Title ${i}` }));
    expect(await engine.model("Contact").createMany(rows, admin, { batchSize: 7 })).toEqual({ count: 30 });
    expect(await lastEvent("bulk3@events.test")).toMatchObject({ type: "Created", version: 1, changes: { jobTitle: { from: null, to: "Title 3" } } });

    expect(await engine.model("Contact").updateMany({ email_ends_with: "@events.test" }, { lifecycleStage: "customer", jobTitle: "Buyer" }, admin)).toEqual({ count: 30 });
    for (const i of [0, 17, 29]) {
      const event = await lastEvent(`bulk${i}@events.test`);
      expect(event).toMatchObject({ type: "Updated", version: 2, changes: { lifecycleStage: { from: "lead", to: "customer" }, jobTitle: { from: `Title ${i}`, to: "Buyer" } } });
      expect(event.data).toMatchObject({ firstName: `Bulk ${i}`, jobTitle: "Buyer", lifecycleStage: "customer" });
    }

    expect(await engine.model("Contact").deleteMany({ email_in: ["bulk4@events.test", "bulk5@events.test"] }, admin)).toEqual({ count: 2 });
    const deleted = await lastEvent("bulk5@events.test");
    expect(deleted).toMatchObject({ type: "Deleted", version: 3 });
    expect(Object.keys(deleted.changes as object)).toEqual(["deletedAt"]);
    expect(deleted.data.firstName).toBe("Bulk 5");
  });
});
