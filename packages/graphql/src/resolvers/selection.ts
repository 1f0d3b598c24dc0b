// The GraphQL selection set of a root field → the engine's Selection (fields + nested includes with
// their where/orderBy/paging), so the whole tree is read by ONE engine call. Fragments, inline
// fragments, @skip/@include and aliases are handled; two aliases of the same relationship are merged
// when their arguments are equal and rejected (VALIDATION_FAILED) when they differ, since an
// include is keyed by relationship name.
import { getArgumentValues, getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, isObjectType, Kind } from "../graphqlRuntime.ts";
import type { FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode, SelectionSetNode } from "graphql";
import type { ModelIR, SchemaIR } from "@tessera/schema";
import { validationFailed, type IncludeArgs, type Selection } from "@tessera/engine";
import { apiFields, isToMany } from "../modelFields.ts";
import { NODE_TYPE } from "./nodeType.ts";

type Path = (string | number)[];

function isIncluded(node: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: GraphQLResolveInfo["variableValues"]): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/**
 * Field nodes under the given selection sets, grouped by field name (not alias), fragments
 * flattened. `typeNames` limits which type conditions apply ("any" for concrete wrapper types).
 */
export function collectFieldNodes(
  info: GraphQLResolveInfo,
  selectionSets: readonly (SelectionSetNode | undefined)[],
  typeNames: ReadonlySet<string> | "any",
): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const applies = (name: string | undefined): boolean => name === undefined || typeNames === "any" || typeNames.has(name);
  const visit = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): void => {
    if (!set) return;
    for (const selection of set.selections) {
      if (!isIncluded(selection, info.variableValues)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const list = out.get(name);
        if (list) list.push(selection);
        else out.set(name, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) visit(selection.selectionSet, seen);
      } else {
        const name = selection.name.value;
        const fragment = info.fragments[name];
        if (!fragment || seen.has(name) || !applies(fragment.typeCondition.name.value)) continue;
        visit(fragment.selectionSet, new Set([...seen, name]));
      }
    }
  };
  for (const set of selectionSets) visit(set, new Set());
  return out;
}

interface IncludeNode {
  args: IncludeArgs;
  signature: string;
  tree: SelectionTree;
}

interface SelectionTree {
  fields: Set<string>;
  include: Map<string, IncludeNode>;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as { [key: string]: unknown })[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const INCLUDE_ARG_NAMES = ["where", "orderBy", "skip", "first", "last"] as const;

function includeArgs(args: { [name: string]: unknown }): IncludeArgs {
  const out: { [name: string]: unknown } = {};
  for (const name of INCLUDE_ARG_NAMES) {
    const value = args[name];
    if (value !== undefined && value !== null) out[name] = value;
  }
  return out as IncludeArgs;
}

function mergeTrees(into: SelectionTree, from: SelectionTree, path: Path): void {
  for (const field of from.fields) into.fields.add(field);
  for (const [name, node] of from.include) {
    const existing = into.include.get(name);
    if (!existing) into.include.set(name, node);
    else if (existing.signature !== node.signature) throw conflictingAliases(name, path);
    else mergeTrees(existing.tree, node.tree, [...path, name]);
  }
}

function conflictingAliases(relation: string, path: Path) {
  return validationFailed([
    {
      path: [...path, relation],
      rule: "alias_arguments",
      message: `'${relation}' is selected more than once with different arguments; one query can read a relationship with one set of arguments (use two root fields instead)`,
    },
  ]);
}

function buildTree(info: GraphQLResolveInfo, ir: SchemaIR, model: ModelIR, sets: readonly (SelectionSetNode | undefined)[], path: Path): SelectionTree {
  const tree: SelectionTree = { fields: new Set([model.primaryKey]), include: new Map() };
  const objectType = info.schema.getType(model.name);
  if (!isObjectType(objectType)) return tree;
  const fieldDefs = objectType.getFields();
  const fieldNames = new Set(apiFields(model).map((f) => f.name));
  for (const [name, nodes] of collectFieldNodes(info, sets, new Set([model.name, NODE_TYPE]))) {
    if (fieldNames.has(name)) {
      tree.fields.add(name);
      continue;
    }
    const relation = model.relations.find((r) => r.name === name);
    const def = fieldDefs[name];
    if (!relation || !def) continue; // __typename, nodeId
    const target = ir.models.find((m) => m.name === relation.target);
    if (!target) continue;
    for (const node of nodes) {
      const args = isToMany(relation) ? includeArgs(getArgumentValues(def, node, info.variableValues)) : {};
      const child = buildTree(info, ir, target, [node.selectionSet], [...path, node.alias?.value ?? name]);
      const signature = stableStringify(args);
      const existing = tree.include.get(name);
      if (!existing) tree.include.set(name, { args, signature, tree: child });
      else if (existing.signature !== signature) throw conflictingAliases(name, path);
      else mergeTrees(existing.tree, child, [...path, name]);
    }
  }
  return tree;
}

function toSelection(tree: SelectionTree): Selection {
  const selection: { fields: string[]; include?: { [relation: string]: IncludeArgs } } = { fields: [...tree.fields] };
  if (tree.include.size > 0) {
    selection.include = {};
    for (const [name, node] of tree.include) selection.include[name] = { ...node.args, ...toSelection(node.tree) };
  }
  return selection;
}

/** The engine Selection of a record type from the selection sets that select it. */
export function recordSelection(info: GraphQLResolveInfo, ir: SchemaIR, model: ModelIR, sets: readonly (SelectionSetNode | undefined)[], path: Path): Selection {
  return toSelection(buildTree(info, ir, model, sets, path));
}

/** The record selection of a root field returning the model (or a list of it). */
export function rootRecordSelection(info: GraphQLResolveInfo, ir: SchemaIR, model: ModelIR): Selection {
  return recordSelection(info, ir, model, info.fieldNodes.map((n) => n.selectionSet), [info.path.key]);
}

export function hasIncludes(selection: Selection): boolean {
  return selection.include !== undefined && Object.keys(selection.include).length > 0;
}

export interface AggregateRequest {
  count?: boolean;
  sum?: string[];
  avg?: string[];
  min?: string[];
  max?: string[];
}

const AGGREGATE_OPS = ["sum", "avg", "min", "max"] as const;

/** Which aggregates a selection of `<Model>Aggregate` or `<Model>Group` asks for. */
export function aggregateRequest(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[]): AggregateRequest {
  const fields = collectFieldNodes(info, sets, "any");
  const request: AggregateRequest = {};
  if (fields.has("count")) request.count = true;
  for (const op of AGGREGATE_OPS) {
    const nodes = fields.get(op);
    if (!nodes) continue;
    const names = [...collectFieldNodes(info, nodes.map((n) => n.selectionSet), "any").keys()].filter((n) => n !== "__typename");
    request[op] = names;
  }
  return request;
}

/** The node selection and the aggregate request of a `<plural>Connection` root field. */
export function connectionSelection(info: GraphQLResolveInfo, ir: SchemaIR, model: ModelIR): { node: Selection; aggregate: AggregateRequest | undefined } {
  const top = collectFieldNodes(info, info.fieldNodes.map((n) => n.selectionSet), "any");
  const edges = top.get("edges") ?? [];
  const edgeFields = collectFieldNodes(info, edges.map((n) => n.selectionSet), "any");
  const nodes = edgeFields.get("node") ?? [];
  const node = recordSelection(info, ir, model, nodes.map((n) => n.selectionSet), [info.path.key, "edges", "node"]);
  const aggregates = top.get("aggregate");
  return { node, aggregate: aggregates ? aggregateRequest(info, aggregates.map((n) => n.selectionSet)) : undefined };
}
