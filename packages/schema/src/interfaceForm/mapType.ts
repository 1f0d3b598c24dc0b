import ts from "typescript";
import type { FieldType, ScalarType } from "../ir.ts";
import { SCALAR_ALIASES } from "./scalarAliases.ts";
import type { EnumInfo } from "./enums.ts";
import type { TypeScope } from "./typeScope.ts";

/** The IR shape of a property's TypeScript type. */
export interface MappedType {
  type: FieldType;
  enum?: string;
  items?: ScalarType | "enum";
  /** The type admits `null` or `undefined`. */
  nullable: boolean;
}

export type MapResult = MappedType | { error: string; node: ts.Node };

export interface MapContext {
  scope: TypeScope;
  enums: ReadonlyMap<string, EnumInfo>;
}

const KEYWORDS: Partial<Record<ts.SyntaxKind, ScalarType>> = {
  [ts.SyntaxKind.StringKeyword]: "string",
  [ts.SyntaxKind.NumberKeyword]: "float",
  [ts.SyntaxKind.BooleanKeyword]: "boolean",
  [ts.SyntaxKind.UnknownKeyword]: "json",
  [ts.SyntaxKind.ObjectKeyword]: "json",
};

const fail = (node: ts.Node, error: string): MapResult => ({ error, node });

const isNullish = (node: ts.TypeNode): boolean =>
  node.kind === ts.SyntaxKind.UndefinedKeyword ||
  (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);

/**
 * Maps a property's type node to an IR field type, by syntax: keywords, `Date`, `Record<…>`,
 * arrays, exported string enums, the scalar aliases imported from @tessera/schema, and local
 * type aliases of those. `T | null` is nullable. Anything else is an error.
 */
export function mapType(node: ts.TypeNode, ctx: MapContext, seen: ReadonlySet<string> = new Set()): MapResult {
  if (ts.isParenthesizedTypeNode(node)) return mapType(node.type, ctx, seen);
  if (ts.isUnionTypeNode(node)) return mapUnion(node, ctx, seen);
  const keyword = KEYWORDS[node.kind];
  if (keyword) return { type: keyword, nullable: false };
  if (ts.isArrayTypeNode(node)) return mapArray(node.elementType, node, ctx, seen);
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword && ts.isArrayTypeNode(node.type)) {
    return mapArray(node.type.elementType, node, ctx, seen);
  }
  if (ts.isTypeReferenceNode(node)) return mapReference(node, ctx, seen);
  return fail(node, `unsupported type '${node.getText()}'`);
}

function mapUnion(node: ts.UnionTypeNode, ctx: MapContext, seen: ReadonlySet<string>): MapResult {
  const rest = node.types.filter((t) => !isNullish(t));
  if (rest.length !== 1) return fail(node, `unsupported union '${node.getText()}' (only 'T | null' is allowed)`);
  const inner = mapType(rest[0], ctx, seen);
  if ("error" in inner) return inner;
  return { ...inner, nullable: inner.nullable || rest.length < node.types.length };
}

function mapArray(element: ts.TypeNode, node: ts.TypeNode, ctx: MapContext, seen: ReadonlySet<string>): MapResult {
  const inner = mapType(element, ctx, seen);
  if ("error" in inner) return inner;
  if (inner.type === "array") return fail(node, "arrays of arrays are not supported");
  if (inner.nullable) return fail(node, "array elements cannot be null");
  return { type: "array", items: inner.type, ...(inner.enum ? { enum: inner.enum } : {}), nullable: false };
}

function mapReference(node: ts.TypeReferenceNode, ctx: MapContext, seen: ReadonlySet<string>): MapResult {
  const args = node.typeArguments ?? [];
  if (ts.isQualifiedName(node.typeName)) {
    const ns = node.typeName.left;
    const name = node.typeName.right.text;
    if (ts.isIdentifier(ns) && ctx.scope.namespaces.has(ns.text) && Object.hasOwn(SCALAR_ALIASES, name) && args.length === 0) {
      return { type: SCALAR_ALIASES[name], nullable: false };
    }
    return fail(node, `unknown type '${node.getText()}'`);
  }
  const name = node.typeName.text;
  const enumInfo = ctx.enums.get(name);
  if (enumInfo) {
    if (!enumInfo.exported) return fail(node, `enum ${name} must be exported to be used as a field type`);
    return { type: "enum", enum: name, nullable: false };
  }
  const alias = ctx.scope.aliases.get(name);
  if (alias && args.length === 0) return { type: alias, nullable: false };
  const local = ctx.scope.typeAliases.get(name);
  if (local && args.length === 0) {
    if (seen.has(name)) return fail(node, `type alias '${name}' refers to itself`);
    return mapType(local, ctx, new Set([...seen, name]));
  }
  if (ctx.scope.interfaces.has(name)) return fail(node, `unknown type '${name}' (an interface is not a field type; use a relationship or Json)`);
  if (name === "Date" && args.length === 0) return { type: "datetime", nullable: false };
  if (name === "Record" && args.length === 2) return { type: "json", nullable: false };
  if ((name === "Array" || name === "ReadonlyArray") && args.length === 1) return mapArray(args[0], node, ctx, seen);
  return fail(node, `unknown type '${node.getText()}' (known: string, number, boolean, Date, unknown, object, Record<…>, arrays, exported string enums, ${Object.keys(SCALAR_ALIASES).join(", ")} from @tessera/schema)`);
}
