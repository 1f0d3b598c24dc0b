// Limits checked before execution: query depth (a validation rule) and an estimated cost in rows
// (needs the variables, so it runs between validation and execution). Both report VALIDATION_FAILED.
import { getArgumentValues, getNamedType, getOperationAST, GraphQLError, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, Kind } from "./graphqlRuntime.ts";
import type { ASTVisitor, DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLField, GraphQLInputType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from "graphql";
import type { SchemaIR } from "@tessera/schema";

export const DEFAULT_MAX_DEPTH = 10;
export const DEFAULT_MAX_COST = 50_000;
/**
 * Records one request may write. Below the default per-principal rate limit (300 a minute), since
 * every record written is charged against it and a request must fit in one window's budget.
 */
export const DEFAULT_MAX_WRITE_RECORDS = 200;

/** Set on fields that return lists of records, in the field's `extensions`. */
export const LIST_FIELD_EXTENSION = "tesseraList";
/** root list, connection (its edges), nested to-many relationship, group-by groups. */
export type ListFieldKind = "root" | "connection" | "relation" | "groups";

export interface QueryLimits {
  /** Deepest field nesting allowed (introspection fields excluded). Default 10. */
  maxDepth?: number;
  /** Largest estimated number of rows a query may read. Default 50,000. */
  maxCost?: number;
  /**
   * Most records one mutation request may write: root mutation fields (aliases included) plus nested
   * `create`, `connect` and `disconnect` entries, and the rows an updateMany/deleteMany changes.
   * Default 200.
   */
  maxWriteRecords?: number;
}

function limitError(message: string, nodes?: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code: "VALIDATION_FAILED" } });
}

/** Rejects operations nested deeper than `maxDepth` fields (fragments expanded; `__schema`/`__type` subtrees ignored). */
export function depthLimitRule(maxDepth: number = DEFAULT_MAX_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const measure = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith("__")) continue;
          deepest = Math.max(deepest, 1 + measure(selection.selectionSet, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, measure(selection.selectionSet, seen));
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          if (fragment && !seen.has(name)) deepest = Math.max(deepest, measure(fragment.selectionSet, new Set([...seen, name])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = measure(node.selectionSet, new Set());
        if (depth > maxDepth) context.reportError(limitError(`query depth ${depth} exceeds the limit of ${maxDepth}`, node));
      },
    };
  };
}

export interface CostOptions {
  ir: SchemaIR;
  maxCost?: number;
  variables?: { [name: string]: unknown } | null;
  operationName?: string | null;
}

/**
 * Estimated rows an operation reads: for every list field (root lists, connections, to-many
 * relationships, groups), its page size (`first`/`last`, else the default page size) multiplied
 * by the sizes of the lists above it, summed. Nested lists without first/last return every
 * related row; they are estimated at the default page size.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions): number {
  const { defaultPageSize, maxPageSize } = options.ir.config;
  const variables = options.variables ?? {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const selected = options.operationName ? operations.filter((o) => o.name?.value === options.operationName) : operations;
  const rowsOf = (field: GraphQLField<unknown, unknown>, node: Parameters<typeof getArgumentValues>[1]): number => {
    let args: { [name: string]: unknown } = {};
    try {
      args = getArgumentValues(field, node, variables);
    } catch {
      return maxPageSize;
    }
    const size = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : defaultPageSize;
    return Math.max(1, size);
  };

  const walk = (typeName: string, set: SelectionSetNode | undefined, multiplier: number, seen: ReadonlySet<string>): number => {
    if (!set) return 0;
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) return 0;
    const fields = type.getFields();
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = fields[selection.name.value];
        if (!field) continue;
        const kind = field.extensions?.[LIST_FIELD_EXTENSION] as ListFieldKind | undefined;
        let childMultiplier = multiplier;
        if (kind) {
          const rows = kind === "groups" ? defaultPageSize : rowsOf(field, selection);
          cost += multiplier * rows;
          childMultiplier = multiplier * rows;
        }
        cost += walk(getNamedType(field.type).name, selection.selectionSet, childMultiplier, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += walk(selection.typeCondition?.name.value ?? typeName, selection.selectionSet, multiplier, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          cost += walk(fragment.typeCondition.name.value, fragment.selectionSet, multiplier, new Set([...seen, fragment.name.value]));
        }
      }
      if (!Number.isFinite(cost)) return Number.MAX_SAFE_INTEGER;
    }
    return cost;
  };
  // Without an operation name, the most expensive operation of the document counts.
  let cost = 0;
  for (const operation of selected) {
    const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();
    if (root) cost = Math.max(cost, walk(root.name, operation.selectionSet, 1, new Set()));
  }
  return cost;
}

/** The cost error for an operation, if it is over the limit. */
export function checkCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions): GraphQLError[] {
  const max = options.maxCost ?? DEFAULT_MAX_COST;
  const cost = estimateCost(schema, document, options);
  return cost > max ? [limitError(`query cost ${cost} (estimated rows) exceeds the limit of ${max}; ask for smaller pages (first/last) or fewer nested lists`)] : [];
}

export interface WriteCountOptions {
  /** The request's variables, already coerced (getVariableValues). */
  variables?: { [name: string]: unknown } | null;
  operationName?: string | null;
}

/**
 * Records a mutation writes, counted from the document and variables before anything runs: one per
 * root field, plus one per entry of a nested relationship input's `create`, `connect` and
 * `disconnect` (each is a write of its own). A query or subscription writes nothing.
 * updateMany/deleteMany count one here; the rows they change are capped where they run.
 */
export function countWrittenRecords(schema: GraphQLSchema, document: DocumentNode, options: WriteCountOptions = {}): number {
  const operation = getOperationAST(document, options.operationName ?? undefined);
  const mutation = schema.getMutationType();
  if (!operation || operation.operation !== "mutation" || !mutation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const fields = mutation.getFields();
  const variables = options.variables ?? {};
  let records = 0;
  const rootFields = (set: SelectionSetNode, seen: ReadonlySet<string>): FieldNode[] =>
    set.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      return fragment && !seen.has(fragment.name.value) ? rootFields(fragment.selectionSet, new Set([...seen, fragment.name.value])) : [];
    });
  for (const node of rootFields(operation.selectionSet, new Set())) {
    const field = fields[node.name.value];
    if (!field) continue;
    records += 1;
    let args: { [name: string]: unknown };
    try {
      args = getArgumentValues(field, node, variables);
    } catch {
      // Arguments that do not coerce fail validation before any write; the root field alone counts.
      continue;
    }
    for (const arg of field.args) records += nestedWrites(arg.type, args[arg.name], false);
  }
  return records;
}

/** Nested writes inside an input value: entries of `create`/`connect`/`disconnect` in relationship inputs. */
function nestedWrites(type: GraphQLInputType, value: unknown, counted: boolean): number {
  if (value === null || value === undefined) return 0;
  if (isNonNullType(type)) return nestedWrites(type.ofType, value, counted);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.reduce((sum: number, item) => sum + nestedWrites(type.ofType, item, counted), 0);
  }
  if (!isInputObjectType(type) || typeof value !== "object") return counted ? 1 : 0;
  // Relationship inputs are the only input types named …InlineInput (names.ts).
  const relation = type.name.endsWith("InlineInput");
  let records = counted ? 1 : 0;
  const inputFields = type.getFields();
  for (const [name, fieldValue] of Object.entries(value)) {
    const inputField = inputFields[name];
    if (!inputField) continue;
    const writes = relation && (name === "create" || ((name === "connect" || name === "disconnect") && isListType(getNullable(inputField.type))));
    records += nestedWrites(inputField.type, fieldValue, writes);
  }
  return records;
}

function getNullable(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

/** The cap error for a mutation writing more records than `maxWriteRecords`. */
export function checkWrites(records: number, maxWriteRecords: number = DEFAULT_MAX_WRITE_RECORDS): GraphQLError[] {
  if (records <= maxWriteRecords) return [];
  return [
    new GraphQLError(`this request writes ${records} records; the limit is ${maxWriteRecords} records per request (maxWriteRecords): split it into smaller requests, or use CSV import for bulk loads`, {
      extensions: { code: "VALIDATION_FAILED", limit: "maxWriteRecords", max: maxWriteRecords, records },
    }),
  ];
}
