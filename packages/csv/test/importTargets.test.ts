// A relation column names the related record by its display field. A record named by several
// fields (displayField: ["firstName", "lastName"]) cannot be found by one cell exactly, so that
// relation is not a lookup target: the file gives the foreign key instead.
import { describe, expect, it } from "vitest";
import { belongsTo, defineSchema, f, model } from "@tessera/schema";
import { importTargets } from "../src/index.ts";

const schema = defineSchema({
  models: {
    Candidate: model({ fields: { firstName: f.string().required(), lastName: f.string() }, ui: { displayField: ["firstName", "lastName"] } }),
    Position: model({ fields: { title: f.string().required() }, ui: { displayField: "title" } }),
    Application: model({
      fields: { candidateId: f.id().required(), positionId: f.id().required() },
      relationships: {
        candidate: belongsTo("Candidate", { foreignKey: "candidateId" }),
        position: belongsTo("Position", { foreignKey: "positionId" }),
      },
    }),
  },
}).ir;

describe("importTargets with several display fields", () => {
  it("offers a lookup by a single display field, and only the foreign key for a multi-field one", () => {
    const targets = importTargets(schema, schema.models.find((m) => m.name === "Application")!);
    expect(targets.get("position")).toMatchObject({ kind: "lookup", displayField: { name: "title" } });
    expect(targets.has("candidate")).toBe(false);
    expect(targets.get("candidateId")).toMatchObject({ kind: "field" });
  });
});
