import { describe, expect, it } from "vitest";
import { readInterfaceSchema } from "@tessera/schema";
import { expectIssue, issuesOf, loadSource } from "./helpers/issues.ts";

const read = (source: string) => readInterfaceSchema(source, "inline.ts");
const withModel = (iface: string, model = "", extra = ""): string => `
import type { ID, Text, Int, Float, Decimal, Money, DateOnly, DateTime, Json } from "@tessera/schema";
export enum Size { small = "small", large = "large" }
${extra}
export interface Thing { ${iface} }
export const schema = { models: { Thing: { ${model} } } };`;

describe("interface form: field types", () => {
  it("maps TypeScript types and the @tessera/schema aliases to IR types", () => {
    const raw = read(
      withModel(
        `s: string; n: number; b: boolean; d: Date; u: unknown; o: object; r: Record<string, number>;
         fk: ID; t: Text; i: Int; fl: Float; dec: Decimal; m: Money; day: DateOnly; at: DateTime; j: Json;
         e: Size; strs: string[]; ints: Array<Int>; sizes: readonly Size[]; ro: ReadonlyArray<ID>; mail: Email;`,
        "",
        "type Email = string;",
      ),
    );
    const r = (type: string, extra: object = {}) => ({ type, required: true, ...extra });
    expect(raw.models.Thing.fields).toEqual({
      s: r("string"), n: r("float"), b: r("boolean"), d: r("datetime"), u: r("json"), o: r("json"), r: r("json"),
      fk: r("id"), t: r("text"), i: r("int"), fl: r("float"), dec: r("decimal"), m: r("money"), day: r("date"), at: r("datetime"), j: r("json"),
      e: r("enum", { enum: "Size" }), strs: r("array", { items: "string" }), ints: r("array", { items: "int" }),
      sizes: r("array", { items: "enum", enum: "Size" }), ro: r("array", { items: "id" }), mail: r("string"),
    });
  });

  it("optional and nullable properties are not required", () => {
    const raw = read(withModel("a?: string; b: string | null; c: null | Int; d?: Size | undefined; e: string;"));
    expect(raw.models.Thing.fields).toEqual({
      a: { type: "string" }, b: { type: "string" }, c: { type: "int" }, d: { type: "enum", enum: "Size" }, e: { type: "string", required: true },
    });
  });

  it("resolves renamed and namespace imports of the aliases, and only from @tessera/schema", () => {
    const raw = read(`
      import type { Money as Cash } from "@tessera/schema";
      import type * as t from "@tessera/schema";
      export interface Thing { price: Cash; qty: t.Int }
      export const schema = { models: { Thing: {} } };`);
    expect(raw.models.Thing.fields).toEqual({ price: { type: "money", required: true }, qty: { type: "int", required: true } });
    expectIssue(() => read(`import type { ID } from "./elsewhere";\nexport interface Thing { x: ID }\nexport const schema = { models: { Thing: {} } };`), "Thing", "fields.x", /unknown type 'ID'/);
  });

  it.each([
    ["x: URL;", /unknown type 'URL'/],
    ["x: any;", /unsupported type 'any'/],
    ['x: "a" | "b";', /unsupported union/],
    ["x: string | number;", /unsupported union/],
    ["x: string[][];", /arrays of arrays/],
    ["x?: string[];", /array fields are never null/],
    ["x: string[] | null;", /array fields are never null/],
    ["x: Array<string | null>;", /array elements cannot be null/],
    ["x: Other;", /an interface is not a field type/],
    ["x: Hidden;", /enum Hidden must be exported/],
    ["x: Loop;", /refers to itself/],
    ["x(): string;", /only typed properties/],
    ["[key: string]: string;", /only typed properties/],
  ])("rejects %s naming model and field", (member, message) => {
    const extra = `interface Other { a: string }\nenum Hidden { a = "a" }\ntype Loop = Loop2;\ntype Loop2 = Loop;`;
    const issues = issuesOf(() => read(withModel(member, "", extra)));
    expect(issues).toContainEqual(expect.objectContaining({ model: "Thing", key: expect.stringMatching(/^fields(\.x)?$/), message: expect.stringMatching(message) }));
    expect(issues[0].message).toMatch(/inline\.ts:\d+:\d+/);
  });

  it("passes other reserved names through so the normaliser reports them", () => {
    expect(read(withModel("tenantId: ID; name: string;")).models.Thing.fields).toHaveProperty("tenantId");
    expectIssue(() => loadSource(withModel("tenantId: ID; name: string;")), "Thing", "fields.tenantId", /reserved/);
  });

  it("rejects interfaces with extends or type parameters, and a model without an interface", () => {
    expectIssue(() => read(withModel("a: string", "", "interface Base { b: string }").replace("interface Thing", "interface Thing extends Base")), "Thing", "fields", /no 'extends'/);
    expectIssue(() => read(`export const schema = { models: { Ghost: {} } };`), "Ghost", "fields", /no interface named Ghost/);
  });

  it("merges the properties of interface declarations with the same name, in order", () => {
    const raw = read(`interface Thing { a: string }\ninterface Thing { b?: number }\nexport const schema = { models: { Thing: {} } };`);
    expect(Object.keys(raw.models.Thing.fields)).toEqual(["a", "b"]);
  });
});

describe("interface form: enums", () => {
  it("includes every exported string enum, used or not, with values exactly as declared", () => {
    const raw = read(withModel("a: string;", "", `export enum Unused { alpha = "alpha", beta_two = "beta_two" }`));
    expect(raw.enums).toEqual({ Size: ["small", "large"], Unused: ["alpha", "beta_two"] });
    expect(loadSource(withModel("a: string;", "", `export enum Unused { alpha = "alpha" }`)).enums.map((e) => e.name)).toEqual(["Size", "Unused"]);
  });

  it("rejects numeric and computed enums, and a member declared twice", () => {
    expectIssue(() => read(withModel("a: string;", "", `export enum Color { red = "RED" }\nexport enum Color { red = "R" }`)), "enums", "Color.red", /declared twice/);
    expectIssue(() => read(withModel("a: string;", "", `export enum Level { low = "a" + "b" }`)), "enums", "Level.low", /must be a string enum/);
    expectIssue(() => read(withModel("a: string;", "", `export enum Level { low, high }`)), "enums", "Level.low", /must be a string enum/);
    expectIssue(() => read(withModel("a: string;", "", `export enum Level { low = 1 }`)), "enums", "Level.low", /must be a string enum/);
  });
});

describe("interface form: model keys are literals", () => {
  it("reads literals, `as const`, `satisfies`, enum members, defaults and columns", () => {
    const raw = read(`
      import type { InterfaceSchema } from "@tessera/schema";
      export enum Size { small = "small", large = "large" }
      export interface Thing { name: string; size: Size; count?: number; code?: string }
      export const schema = {
        config: { defaultPageSize: 10 },
        models: {
          Thing: {
            tableName: "things_t",
            searchable: ["name"] as const,
            defaults: { size: Size.large, count: -1.5, code: null },
            columns: { code: "thing_code" },
            validation: { name: ["max:10", "unique"], code: "regex:^[a-z|]+$" },
            indexes: [{ fields: ["name", "size"], unique: true }],
          },
        },
      } as const satisfies InterfaceSchema;`);
    expect(raw.config).toEqual({ defaultPageSize: 10 });
    expect(raw.models.Thing).toEqual({
      tableName: "things_t",
      searchable: ["name"],
      validation: { name: ["max:10", "unique"], code: "regex:^[a-z|]+$" },
      indexes: [{ fields: ["name", "size"], unique: true }],
      fields: {
        name: { type: "string", required: true },
        size: { type: "enum", enum: "Size", required: true, default: "large" },
        count: { type: "float", default: -1.5 },
        code: { type: "string", default: null, column: "thing_code" },
      },
    });
  });

  it("passes unknown keys through to the raw schema (the normaliser reports them)", () => {
    const raw = read(withModel("a: string;", `colour: "red", ui: { colour: "blue" }`));
    expect(raw.models.Thing).toMatchObject({ colour: "red", ui: { colour: "blue" } });
  });

  it.each([
    [`tableName: makeName()`, "tableName"],
    [`access: standardAccess`, "access"],
    [`access: { read: ROLE }`, "access.read"],
    [`searchable: ["a", \`\${x}\`]`, "searchable[1]"],
    [`indexes: [{ fields: ["a"], unique: !0 }]`, "indexes[0].unique"],
    [`ui: { ...base }`, "ui"],
    [`ui: { displayField }`, "ui.displayField"],
    [`defaults: { a: Size.medium }`, "defaults.a"],
  ])("rejects the non-literal %s naming model and key", (entry, key) => {
    expectIssue(() => read(withModel("a: string;", entry)), "Thing", key, /must be a literal|only `key: literal`/);
  });

  it("rejects non-literal config values, a `fields` key, an `enums` key and duplicate keys", () => {
    expectIssue(() => read(withModel("a: string;").replace("models:", "config: { defaultPageSize: size() }, models:")), "config", "defaultPageSize", /must be a literal/);
    expectIssue(() => read(withModel("a: string;", `fields: {}`)), "Thing", "fields", /fields come from interface Thing/);
    expectIssue(() => read(withModel("a: string;").replace("models:", "enums: {}, models:")), "schema", "enums", /exported string enums/);
    expectIssue(() => read(withModel("a: string;", `tableName: "x", tableName: "y"`)), "Thing", "tableName", /declared twice/);
    expectIssue(() => read(withModel("a: string;", `columns: { a: 1 }`)), "Thing", "columns.a", /must be a string/);
  });

  it("needs `export const schema` and valid syntax", () => {
    expectIssue(() => read(`export interface Thing { a: string }`), "schema", "schema", /export const schema/);
    expectIssue(() => read(`const schema = { models: {} };`), "schema", "schema", /export const schema/);
    expectIssue(() => read(withModel("a: string;", `tableName: "x",,`)), "schema", "syntax");
  });
});
