import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadInterfaceSchema, readInterfaceSchema } from "@tessera/schema";
import { schema as dslSchema } from "../../../apps/crm/schema.ts";
import * as interfaceModule from "../../../apps/crm/schema.interface.ts";

const interfaceFile = fileURLToPath(new URL("../../../apps/crm/schema.interface.ts", import.meta.url));

describe("the CRM in both schema forms", () => {
  it("gives identical IR from the DSL and from the interface form", () => {
    const ir = loadInterfaceSchema(interfaceFile);
    expect(ir).toEqual(dslSchema.ir);
    expect(ir.models.map((m) => m.name)).toEqual(Object.keys(dslSchema.models));
  });

  it("reads every model, field, enum and relationship (not an empty-vs-empty match)", () => {
    const raw = readInterfaceSchema(readFileSync(interfaceFile, "utf8"), interfaceFile);
    expect(Object.keys(raw.models)).toHaveLength(15);
    expect(Object.keys(raw.enums ?? {})).toHaveLength(13);
    expect(raw.models.Deal.fields.stage).toEqual({ type: "enum", enum: "DealStage", required: true, default: "lead" });
    expect(raw.models.Company.fields.tags).toEqual({ type: "array", items: "string", required: true });
    expect(raw.models.Company.fields.annualRevenue).toEqual({ type: "money" });
    const deal = loadInterfaceSchema(interfaceFile).models.find((m) => m.name === "Deal");
    expect(deal?.fields.find((f) => f.name === "currency")).toEqual({
      name: "currency", column: "currency", type: "string", required: true, default: "EUR", rules: [{ kind: "regex", pattern: "^[A-Z]{3}$" }], system: false,
    });
  });

  it("is a module that runs: enums and the schema object are real values", () => {
    expect(interfaceModule.DealStage.won).toBe("won");
    expect(Object.keys(interfaceModule.schema.models)).toEqual(Object.keys(dslSchema.models));
  });
});
