import { describe, expect, it } from "vitest";
import { defineSchema, f, model } from "@tessera/schema";

describe("FieldBuilder.rules", () => {
  it("keeps a regex containing | whole and honours required", () => {
    const s = defineSchema({ models: { Thing: model({ fields: { code: f.string().rules("required|max:10|regex:^(a|b)$") } }) } });
    const code = s.ir.models[0].fields.find((x) => x.name === "code");
    expect(code?.required).toBe(true);
    expect(code?.rules).toEqual([{ kind: "max", value: 10 }, { kind: "regex", pattern: "^(a|b)$" }]);
  });
});
