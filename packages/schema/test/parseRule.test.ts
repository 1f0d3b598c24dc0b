import { describe, expect, it } from "vitest";
import { parseRule, splitRules } from "@tessera/schema";

describe("parseRule", () => {
  it.each([
    ["required", { kind: "required" }],
    ["email", { kind: "email" }],
    ["url", { kind: "url" }],
    ["numeric", { kind: "numeric" }],
    ["unique", { kind: "unique" }],
    ["min:0", { kind: "min", value: 0 }],
    ["max:255", { kind: "max", value: 255 }],
    ["min:-1.5", { kind: "min", value: -1.5 }],
    ["in:a,b, c", { kind: "in", values: ["a", "b", "c"] }],
    ["regex:^#[0-9a-f]{6}$", { kind: "regex", pattern: "^#[0-9a-f]{6}$" }],
    ["regex:^a:b|c$", { kind: "regex", pattern: "^a:b|c$" }],
    ["exists:companies,id", { kind: "exists", table: "companies", column: "id" }],
    ["required_if:stage,lost", { kind: "required_if", field: "stage", values: ["lost"] }],
    ["required_if:stage, won ,lost", { kind: "required_if", field: "stage", values: ["won", "lost"] }],
  ])("%s", (text, rule) => {
    expect(parseRule(text)).toEqual(rule);
  });

  it.each([
    ["emial", /unknown rule 'emial'/],
    ["max", /needs an argument/],
    ["max:abc", /needs a number/],
    ["max:", /needs a number/],
    ["email:yes", /takes no argument/],
    ["in:", /needs an argument/],
    ["regex:(", /invalid pattern/],
    ["exists:companies", /exists:table,column/],
    ["required_if", /required_if:field,value/],
    ["required_if:stage", /required_if:field,value/],
    ["required_if:stage,", /required_if:field,value/],
  ])("rejects %s", (text, message) => {
    const parsed = parseRule(text);
    expect(parsed).toHaveProperty("error");
    expect((parsed as { error: string }).error).toMatch(message);
  });
});

describe("splitRules", () => {
  it("splits on | and keeps a trailing regex whole", () => {
    expect(splitRules("required|max:255|email")).toEqual(["required", "max:255", "email"]);
    expect(splitRules("required|regex:^(a|b)$")).toEqual(["required", "regex:^(a|b)$"]);
    expect(splitRules(["min:1", "max:2"])).toEqual(["min:1", "max:2"]);
    expect(splitRules(" required || unique ")).toEqual(["required", "unique"]);
  });
});
