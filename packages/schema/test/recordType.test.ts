// Type-level assertions (checked by `tsc`, which includes this file) plus a runtime check that
// the inferred optionality matches the IR's `required` flags.
import { describe, expect, expectTypeOf, it } from "vitest";
import { defineEnum, defineSchema, f, model, type RecordOf } from "@tessera/schema";
import { schema } from "../../../apps/crm/schema.ts";

type Deal = RecordOf<typeof schema, "Deal">;
type Company = RecordOf<typeof schema, "Company">;

describe("record type inference", () => {
  it("derives field types and nullability from the DSL", () => {
    expectTypeOf<Deal["title"]>().toEqualTypeOf<string>();
    expectTypeOf<Deal["value"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Deal["position"]>().toEqualTypeOf<number>();
    expectTypeOf<Deal["stage"]>().toEqualTypeOf<"lead" | "qualified" | "proposal" | "negotiation" | "won" | "lost">();
    expectTypeOf<Deal["expectedCloseDate"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Company["tags"]>().toEqualTypeOf<string[]>();
    expectTypeOf<Company["size"]>().toEqualTypeOf<"startup" | "small" | "medium" | "large" | "enterprise" | null>();
    expectTypeOf<Company["id"]>().toEqualTypeOf<string>();
    expectTypeOf<Company["deletedAt"]>().toEqualTypeOf<string | null>();
    expectTypeOf<RecordOf<typeof schema, "NoSuchModel">>().toEqualTypeOf<never>();
  });

  it("rejects records that break the inferred type", () => {
    const Color = defineEnum("Color", ["red", "blue"]);
    const s = defineSchema({ models: { Widget: model({ fields: { name: f.string().required(), color: f.enum(Color), count: f.int() } }) } });
    type Widget = RecordOf<typeof s, "Widget">;
    const ok: Widget = { id: "1", version: 1, createdAt: "", updatedAt: "", deletedAt: null, name: "a", color: "red", count: null };
    // @ts-expect-error name is required and not nullable
    const noName: Widget = { ...ok, name: null };
    // @ts-expect-error "green" is not a Color
    const badColor: Widget = { ...ok, color: "green" };
    expect([ok, noName, badColor]).toHaveLength(3);
    const fields = s.ir.models[0].fields;
    expect(fields.find((x) => x.name === "name")?.required).toBe(true);
    expect(fields.find((x) => x.name === "color")?.required).toBe(false);
  });

  it("matches the IR: exactly the non-nullable declared fields are required", () => {
    const deal = schema.ir.models.find((m) => m.name === "Deal");
    const required = deal?.fields.filter((x) => !x.system && x.required).map((x) => x.name);
    expect(required).toEqual(["title", "currency", "stage", "position", "contactId"]);
  });
});
