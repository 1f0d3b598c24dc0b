// docs/WRITING_SCHEMA.md shows one small app in both schema forms. Its two examples are these
// fixture files, verbatim, and its other snippets are excerpts of them, so the doc cannot drift
// from what the code accepts: the test loads both, compares their IR, and checks the quotes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadInterfaceSchema } from "@tessera/schema";
import { schema as dslSchema } from "./fixtures/recruiting/schema.ts";
import * as interfaceModule from "./fixtures/recruiting/schema.interface.ts";

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const interfaceFile = path("./fixtures/recruiting/schema.interface.ts");
const dslFile = path("./fixtures/recruiting/schema.ts");
const docFile = path("../../../docs/WRITING_SCHEMA.md");

/** The fenced ```ts blocks of a Markdown text. */
const codeBlocks = (markdown: string): string[] => [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

describe("docs/WRITING_SCHEMA.md: the recruiting app in both forms", () => {
  it("gives identical IR from the DSL and from the interface form", () => {
    const ir = loadInterfaceSchema(interfaceFile);
    expect(ir).toEqual(dslSchema.ir);
  });

  it("is not an empty-vs-empty match: the idioms are in the IR", () => {
    const ir = loadInterfaceSchema(interfaceFile);
    const model = (name: string) => ir.models.find((m) => m.name === name)!;
    expect(ir.models.map((m) => m.name)).toEqual(expect.arrayContaining(["Candidate", "Position", "Application", "Tag"]));
    expect(ir.enums).toEqual([
      { name: "ApplicationStatus", values: ["applied", "interviewing", "hired", "rejected"] },
      { name: "Seniority", values: ["junior", "senior"] },
    ]);
    expect(model("Candidate").fields.find((f) => f.name === "seniority")?.default).toBe("junior");
    expect(model("Candidate").fields.filter((f) => !f.system)).toHaveLength(14);
    expect(model("Application").fields.find((f) => f.name === "candidateId")?.type).toBe("id");
    expect(model("Candidate").ui.displayFields).toEqual(["firstName", "lastName"]);
    expect(model("Application").ui.listView).toEqual(["candidate", "position", "status", "appliedOn"]);
  });

  it("is a module that runs: the enums' values are what the API shows", () => {
    expect(interfaceModule.Seniority.JUNIOR).toBe("junior");
    expect(Object.keys(interfaceModule.schema.models)).toEqual(Object.keys(dslSchema.models));
  });

  it("quotes both files verbatim, and every other code block is an excerpt of one of them", () => {
    const blocks = codeBlocks(readFileSync(docFile, "utf8"));
    const files = [readFileSync(dslFile, "utf8"), readFileSync(interfaceFile, "utf8")];
    expect(blocks).toContain(files[0]);
    expect(blocks).toContain(files[1]);
    const notQuoted = blocks.filter((block) => !files.some((file) => file.includes(block)));
    expect(notQuoted).toEqual([]);
  });
});
