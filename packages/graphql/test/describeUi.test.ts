// The ui hints /api/meta gives the admin UI: a list of display fields, and belongsTo relationships
// named as list columns, given as their foreign keys (which the UI shows as the related record).
import { describe, expect, it } from "vitest";
import type { RequestContext } from "@tessera/engine";
import { belongsTo, defineSchema, f, model } from "@tessera/schema";
import { describeApi } from "../src/index.ts";

const schema = defineSchema({
  models: {
    Candidate: model({
      fields: { firstName: f.string().required(), lastName: f.string().required() },
      ui: { displayField: ["firstName", "lastName"] },
    }),
    Position: model({ fields: { title: f.string().required() } }),
    Application: model({
      fields: { candidateId: f.id().required(), positionId: f.id(), status: f.string() },
      relationships: {
        candidate: belongsTo("Candidate", { foreignKey: "candidateId" }),
        position: belongsTo("Position", { foreignKey: "positionId" }),
      },
      fieldAccess: { positionId: { read: "admin" } },
      ui: { listView: ["candidate", "candidateId", "position", "status"] },
    }),
  },
});
const as = (role: string): RequestContext => ({ tenantId: "0a000000-0000-4000-8000-00000000000a", principal: { sub: "u", roles: [role], kind: "user" } });
const describe_ = (role: string, name: string) => describeApi(schema.ir, as(role)).models.find((m) => m.name === name)!;

describe("describeApi: ui hints", () => {
  it("gives every display field, and the first as displayField", () => {
    expect(describe_("admin", "Candidate")).toMatchObject({ displayField: "firstName", displayFields: ["firstName", "lastName"] });
    expect(describe_("admin", "Position")).toMatchObject({ displayField: "title", displayFields: ["title"] });
  });

  it("gives a belongsTo list column as its foreign key, once, and only when the key is readable", () => {
    expect(describe_("admin", "Application").listView).toEqual(["candidateId", "positionId", "status"]);
    expect(describe_("sales", "Application").listView).toEqual(["candidateId", "status"]);
    // The foreign key carries the relationship the UI follows to show the related record's name.
    expect(describe_("admin", "Application").fields.find((f) => f.name === "candidateId")?.references).toEqual({ relation: "candidate", model: "Candidate" });
  });
});
