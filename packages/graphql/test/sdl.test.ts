// The generated GraphQL API as SDL, committed beside this file: any change to what clients can call
// (a type, field, argument, default, enum value or description) shows up in review as a diff of
// `__snapshots__/*.graphql`. After an intended change: `npx vitest run packages/graphql/test/sdl.test.ts -u`.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type * as G from "graphql";
import type { GraphQLNamedType, GraphQLSchema } from "graphql";
import { defineEnum, defineSchema, f, hasMany, manyToMany, model, belongsTo, type SchemaIR } from "@tessera/schema";
import { schema as crmSchema } from "@tessera/crm";
import { buildGraphQLSchema } from "../src/index.ts";

// The CommonJS graphql-js, the copy the builder uses (see src/graphqlRuntime.ts): vitest would give
// this file the ESM copy, whose printer refuses the builder's types as "from another realm".
const { isSpecifiedDirective, isSpecifiedScalarType, printType } = createRequire(import.meta.url)("graphql") as typeof G;

/** A second, small app whose config differs from the CRM's: no soft deletes, no subscriptions, no audit log. */
const Shelf = defineEnum("ShelfKind", ["fiction", "reference", "archive"]);
const library = defineSchema({
  config: { permissionPrefix: "library", softDeletes: false, subscriptions: false, auditLog: false, defaultPageSize: 10, maxPageSize: 50 },
  models: {
    Shelf: model({
      fields: { label: f.string().required().max(40), kind: f.enum(Shelf).required().default("fiction"), position: f.int().min(0) },
      relationships: { books: hasMany("Book", { foreignKey: "shelfId" }) },
      ui: { displayField: "label" },
    }),
    Book: model({
      fields: {
        title: f.string().required().max(200),
        isbn: f.string().unique().max(20),
        shelfId: f.id(),
        price: f.money().min(0),
        published: f.date(),
        details: f.json(),
        keywords: f.array(f.string()),
      },
      searchable: ["title"],
      relationships: {
        shelf: belongsTo("Shelf", { foreignKey: "shelfId", onDelete: "set null" }),
        authors: manyToMany("Author", { through: "book_authors" }),
      },
      ui: { displayField: "title" },
    }),
    Author: model({ fields: { name: f.string().required().max(120) }, ui: { displayField: "name" } }),
  },
});

const ROOTS: ReadonlySet<string> = new Set(["Query", "Mutation", "Subscription"]);

/**
 * printSchema's type order is the order the builder happened to create types in (lazily, on first
 * use), which says nothing about the API. Types are printed sorted by name so that a refactor of the
 * builder leaves the file alone; fields, arguments and enum values keep their order, which follows
 * the schema's declarations and is part of the API (introspection, GraphiQL, enum order).
 */
function printSdl(schema: GraphQLSchema): string {
  const custom = schema.getDirectives().filter((d) => !isSpecifiedDirective(d));
  // graphql-js has no public printer for a single directive; fail loudly rather than omit one.
  if (custom.length > 0) throw new Error(`custom directives ${custom.map((d) => d.name).join(", ")}: extend printSdl`);
  return `${typesOf(schema).map((t) => printType(t)).join("\n\n")}\n`;
}

function typesOf(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith("__") && !isSpecifiedScalarType(t))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The same app with its models declared in the reverse order. */
function reversed(ir: SchemaIR): SchemaIR {
  return { ...ir, models: [...ir.models].reverse() };
}

/** Each type's SDL by name; root types as their sorted field names (their order follows the models'). */
function shapeOf(schema: GraphQLSchema): Map<string, string> {
  return new Map(
    typesOf(schema).map((t) => {
      if (!ROOTS.has(t.name)) return [t.name, printType(t)];
      const fields = (t as { getFields(): Record<string, unknown> }).getFields();
      return [t.name, Object.keys(fields).sort().join(",")];
    }),
  );
}

describe.each([
  ["crm", crmSchema.ir],
  ["library", library.ir],
] as const)("the %s app's GraphQL API", (name, ir) => {
  it("matches the committed SDL", async () => {
    await expect(printSdl(buildGraphQLSchema(ir))).toMatchFileSnapshot(`./__snapshots__/${name}.graphql`);
  });

  it("is printed the same by independent builds, whatever order the models are declared in", () => {
    const first = buildGraphQLSchema(ir);
    expect(printSdl(buildGraphQLSchema(ir))).toBe(printSdl(first));
    // No type's content may depend on which model the builder visited first.
    expect(shapeOf(buildGraphQLSchema(reversed(ir)))).toEqual(shapeOf(first));
  });
});
