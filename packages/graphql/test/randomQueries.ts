// Seeded generator of GraphQL requests over the app's schema, for fuzz tests: mostly well-typed
// documents with hostile values (extremes, odd strings, bad dates and ids), sometimes invalid ones.
import type { GraphQLField, GraphQLInputType, GraphQLObjectType, GraphQLSchema } from "graphql";
import { getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType } from "../src/graphqlRuntime.ts";
import type { SchemaIR } from "@tessera/schema";

export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (random: Random, p: number): boolean => random() < p;

function uuid(random: Random): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-8${part(3)}-${part(12)}`;
}

const INTS = [0, 1, -1, 2, 5, 25, 100, 101, 2147483647, -2147483648];
const FLOATS = [0, 1.5, -2.25, 1e308, -1e308, 3.14159];
const DECIMALS = ["0", "1.5", "-3", "100", "99999999999999999999", "12345678901234.5678", 12.5, "1e5", "abc"];
/** Outside PostgreSQL's date range (4713 BC – 5874897 AD) or JavaScript's (±275760-09-13), or not dates. */
export const HOSTILE_DATES = ["0000-01-01", "275760-09-13", "+275760-09-13", "-000001-01-01", "5874898-01-01", "2026-02-30"];
export const HOSTILE_DATETIMES = ["2026-01-01T00:00:00+99:99", "2026-01-01T00:00:00-24:00", "0000-01-01T00:00:00Z", "275760-09-13T00:00:00Z", "275760-09-13T00:00:00.001Z", "-000001-01-01T00:00:00Z"];
/** NUL characters, which PostgreSQL's text and jsonb refuse. */
export const HOSTILE_STRINGS = ["a\u0000b", "\u0000"];
export const HOSTILE_JSON: unknown[] = [{ "a\u0000": 1 }, { a: "x\u0000y" }, ["\u0000"], "\u0000"];

const STRINGS = ["", "a", "Acme", "%", "_", "\\", "O'Brien", "Ünïcødé ñ", "x".repeat(300), ...HOSTILE_STRINGS, "😀", "' OR 1=1 --", "Deal 1"];
const DATES = ["2026-01-01", "0001-01-01", "9999-12-31", "garbage", "2026-1-1", ...HOSTILE_DATES];
const DATETIMES = ["2026-01-01T00:00:00Z", "2026-01-01", "2026-13-01T00:00:00Z", "1970-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "yesterday", ...HOSTILE_DATETIMES];

function scalarValue(name: string, random: Random, ids: readonly string[]): unknown {
  switch (name) {
    case "Int":
      return pick(random, INTS);
    case "Float":
      return pick(random, FLOATS);
    case "String":
      return pick(random, STRINGS);
    case "Boolean":
      return chance(random, 0.5);
    case "ID":
      return chance(random, 0.5) && ids.length > 0 ? pick(random, ids) : pick(random, [uuid(random), "not-a-uuid", "", "00000000-0000-0000-0000-000000000000"]);
    case "Decimal":
    case "Money":
      return pick(random, DECIMALS);
    case "Date":
      return pick(random, DATES);
    case "DateTime":
      return pick(random, DATETIMES);
    case "JSON":
      return pick(random, [{ a: 1 }, [1, "two"], "text", 42, null, { nested: { deep: [true] } }, ...HOSTILE_JSON]);
    default:
      return null;
  }
}

/** A JS value for an input type (a variable value). */
export function inputValue(type: GraphQLInputType, random: Random, ids: readonly string[], depth = 0): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType, random, ids, depth);
  if (chance(random, 0.04)) return null;
  if (isListType(type)) return Array.from({ length: Math.floor(random() * 3) }, () => inputValue(type.ofType, random, ids, depth + 1));
  if (isEnumType(type)) return chance(random, 0.03) ? "bogus" : pick(random, type.getValues()).name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type));
    const optional = fields.filter((f) => !isNonNullType(f.type) && (depth < 2 || isLeafType(getNamedType(f.type))));
    const chosen = type.isOneOf ? [pick(random, fields)] : [...required, ...Array.from({ length: Math.floor(random() * 3) }, () => pick(random, optional)).filter(Boolean)];
    const out: { [key: string]: unknown } = {};
    for (const field of chosen) {
      if (!field) continue;
      const value = inputValue(field.type, random, ids, depth + 1);
      out[field.name] = type.isOneOf && value === null ? scalarValue("ID", random, ids) : value;
    }
    return out;
  }
  return scalarValue(getNamedType(type).name, random, ids);
}

/** A GraphQL literal for a value of the input type. */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return "null";
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (isListType(type)) return Array.isArray(value) ? `[${value.map((v) => literal(v, type.ofType)).join(", ")}]` : literal(value, type.ofType);
  if (isEnumType(type)) return typeof value === "string" && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) ? value : JSON.stringify(value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    const entries = Object.entries(value as object).map(([k, v]) => `${k}: ${fields[k] ? literal(v, fields[k].type) : JSON.stringify(v)}`);
    return `{ ${entries.join(", ")} }`;
  }
  if (getNamedType(type).name === "JSON") return jsonLiteral(value);
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function jsonLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(", ")}]`;
  if (typeof value === "object" && value !== null) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${jsonLiteral(v)}`).join(", ")} }`;
  return JSON.stringify(value);
}

function args(field: GraphQLField<unknown, unknown>, random: Random, ids: readonly string[], useAll: boolean): string {
  const parts: string[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type);
    if (!required && !useAll && !chance(random, 0.35)) continue;
    const value = inputValue(arg.type, random, ids);
    if (value === null && required) continue;
    parts.push(`${arg.name}: ${literal(value, arg.type)}`);
  }
  return parts.length > 0 ? `(${parts.join(", ")})` : "";
}

function selection(type: GraphQLObjectType, random: Random, ids: readonly string[], depth: number): string {
  const fields = Object.values(type.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
  const objects = fields.filter((f) => isObjectType(getNamedType(f.type)));
  const chosen = new Set<GraphQLField<unknown, unknown>>();
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count && leaves.length > 0; i++) chosen.add(pick(random, leaves));
  const parts = [...chosen].map((f) => f.name);
  if (depth < 4 && objects.length > 0) {
    const n = Math.floor(random() * (depth === 0 ? 3 : 2));
    for (let i = 0; i < n; i++) {
      const f = pick(random, objects);
      const alias = `a${Math.floor(random() * 1000)}`;
      parts.push(`${alias}: ${f.name}${args(f, random, ids, false)} { ${selection(getNamedType(f.type) as GraphQLObjectType, random, ids, depth + 1)} }`);
    }
  }
  if (chance(random, 0.1)) parts.push("__typename");
  return parts.join(" ");
}

export interface GeneratedRequest {
  query: string;
  variables?: { [name: string]: unknown };
}

/** One random request: a query (most of the time) or a mutation of a random model. */
export function generateRequest(schema: GraphQLSchema, ir: SchemaIR, random: Random, ids: readonly string[] = []): GeneratedRequest {
  const model = pick(random, ir.models);
  const query = schema.getQueryType()!.getFields();
  const mutation = schema.getMutationType()!.getFields();
  const single = model.name.charAt(0).toLowerCase() + model.name.slice(1);
  const roots = chance(random, 0.8)
    ? [query[model.plural], query[model.plural], query[`${model.plural}Connection`], query[single], query[`${model.plural}GroupBy`], query.node]
    : Object.values(mutation).filter((f) => f.name.endsWith(model.name) || f.name.includes(`${model.plural.charAt(0).toUpperCase()}${model.plural.slice(1)}Connection`));
  const field = pick(random, roots.filter(Boolean));
  const isMutation = field === mutation[field.name];
  // Half the time the where/data arguments travel as variables.
  const variableDefs: string[] = [];
  const variables: { [name: string]: unknown } = {};
  const parts: string[] = [];
  for (const arg of field.args) {
    const required = isNonNullType(arg.type);
    if (!required && !chance(random, 0.5)) continue;
    const value = inputValue(arg.type, random, ids);
    if (chance(random, 0.5)) {
      variableDefs.push(`$${arg.name}: ${String(arg.type)}`);
      variables[arg.name] = value;
      parts.push(`${arg.name}: $${arg.name}`);
    } else if (!(value === null && required)) {
      parts.push(`${arg.name}: ${literal(value, arg.type)}`);
    }
  }
  const returned = getNamedType(field.type);
  const body = isObjectType(returned) ? `{ ${selection(returned, random, ids, 0)} }` : isLeafType(returned) ? "" : "{ __typename }";
  const op = isMutation ? "mutation" : "query";
  const document = `${op}${variableDefs.length > 0 ? `(${variableDefs.join(", ")})` : ""} { ${field.name}${parts.length > 0 ? `(${parts.join(", ")})` : ""} ${body} }`;
  return variableDefs.length > 0 ? { query: document, variables } : { query: document };
}

/** A request as fastify's inject takes it. */
export interface RawRequest {
  method: "GET" | "POST";
  url: string;
  headers?: { [name: string]: string };
  payload?: string;
}

const DOCUMENT = "{ deals { id } }";

/**
 * Requests that are not well-formed GraphQL requests (GraphQL over HTTP): parameters of the wrong
 * type, JSON that is not a request, subscriptions over HTTP. Each must be a 400 with an errors body.
 */
export function generateTransportRequest(random: Random): RawRequest {
  const json = (body: unknown): RawRequest => ({ method: "POST", url: "/graphql", headers: { "content-type": "application/json" }, payload: JSON.stringify(body) });
  const get = (query: string): RawRequest => ({ method: "GET", url: `/graphql?${query}` });
  const notText = pick(random, [5, -1, 1.5, true, false, [], [DOCUMENT], {}, { kind: "Document", definitions: [] }]);
  const notDocument = pick(random, ["", " ", "5", "null", "[]", "{", JSON.stringify({ kind: "Document", definitions: [] })]);
  const notMap = pick(random, [5, -1, 1.5, true, false, [], [{}], "text", "{}"]);
  const notName = pick(random, [5, true, [], {}]);
  const shapes: (() => RawRequest)[] = [
    () => json({ query: notText }),
    () => json({ query: notDocument }),
    () => json({ query: DOCUMENT, variables: notMap }),
    () => json({ query: DOCUMENT, operationName: notName }),
    () => json({ query: DOCUMENT, extensions: notMap }),
    () => json(pick(random, [notText, notDocument, notMap])),
    () => json({ variables: {} }),
    () => json({ query: "subscription { dealChanged { type } }" }),
    () => json({ query: "subscription S { dealChanged { type } } query Q { deals { id } }", operationName: "S" }),
    () => get(`query=${encodeURIComponent(DOCUMENT)}&variables=${encodeURIComponent(JSON.stringify(notMap))}`),
    () => get(`query=${encodeURIComponent(DOCUMENT)}&variables=${encodeURIComponent(notDocument)}`),
    () => get(`query=${encodeURIComponent(notDocument)}`),
    () => get(`query=${encodeURIComponent(DOCUMENT)}&query=${encodeURIComponent(DOCUMENT)}`),
    () => ({ method: "POST", url: "/graphql", headers: { "content-type": "text/plain" }, payload: DOCUMENT }),
  ];
  return pick(random, shapes)();
}
