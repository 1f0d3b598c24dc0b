// Custom scalars. Decimal and Money travel as strings (exact); Date and DateTime as ISO strings.
// The scalars check the shape only; the engine checks the value against the field (range, calendar,
// rules) and reports problems with the field's path.
import { GraphQLError, GraphQLScalarType, Kind } from "./graphqlRuntime.ts";
import type { ValueNode } from "graphql";

/** A plain decimal number: optional sign, digits, optional fraction. No exponent, at most 40 characters. */
const DECIMAL_TEXT = /^[+-]?\d+(\.\d+)?$/;
const MAX_DECIMAL_LENGTH = 40;

function decimalScalar(name: "Decimal" | "Money", description: string): GraphQLScalarType<string, string> {
  const parse = (value: unknown): string => {
    const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== "string" || text.length > MAX_DECIMAL_LENGTH || !DECIMAL_TEXT.test(text)) {
      throw new GraphQLError(`${name} must be a decimal number as a string, e.g. "1250.50" (no exponent, at most ${MAX_DECIMAL_LENGTH} characters)`);
    }
    return text;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: (value) => (typeof value === "number" ? String(value) : String(value)),
    parseValue: parse,
    parseLiteral(ast) {
      if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parse(ast.value);
      throw new GraphQLError(`${name} must be a string such as "1250.50"`, { nodes: ast });
    },
  });
}

export const DecimalScalar = decimalScalar("Decimal", "An exact decimal number, as a string (\"1250.5000\"). Input also accepts a number.");
export const MoneyScalar = decimalScalar("Money", "An amount of money, exact, as a string (\"50000.0000\"). Input also accepts a number.");

function stringScalar(name: string, description: string): GraphQLScalarType<string, string> {
  const parse = (value: unknown): string => {
    if (typeof value !== "string") throw new GraphQLError(`${name} must be a string`);
    return value;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: parse,
    parseLiteral(ast) {
      if (ast.kind === Kind.STRING) return ast.value;
      throw new GraphQLError(`${name} must be a string`, { nodes: ast });
    },
  });
}

export const DateScalar = stringScalar("Date", "A calendar date, YYYY-MM-DD.");
export const DateTimeScalar = stringScalar("DateTime", "An instant, ISO 8601 with a time zone; output in UTC with microseconds (2026-01-01T09:00:00.000000Z).");

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function literalToJson(ast: ValueNode, variables: { [name: string]: unknown } | null | undefined): JsonValue {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT: {
      const out: { [key: string]: JsonValue } = {};
      for (const field of ast.fields) out[field.name.value] = literalToJson(field.value, variables);
      return out;
    }
    case Kind.VARIABLE:
      return (variables?.[ast.name.value] ?? null) as JsonValue;
  }
}

export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});

export const CUSTOM_SCALARS = [DecimalScalar, MoneyScalar, DateScalar, DateTimeScalar, JSONScalar] as const;
