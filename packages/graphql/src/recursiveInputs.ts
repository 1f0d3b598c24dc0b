// graphql-jit compiles the parsing of a query's variables by unrolling their input types; an input
// type that reaches itself (a where input's AND/OR/NOT, relation filters, nested create inputs) makes
// that unrolling endless and blocks the process (graphql-jit issue #81). Queries with such a variable
// are therefore never compiled; everything else is.
import type { DocumentNode, GraphQLInputType, GraphQLSchema, TypeNode } from "graphql";
import { getNamedType, isInputObjectType, Kind } from "./graphqlRuntime.ts";

const recursiveBySchema = new WeakMap<GraphQLSchema, Map<string, boolean>>();
const verdictByDocument = new WeakMap<DocumentNode, boolean>();

function namedTypeName(node: TypeNode): string {
  return node.kind === Kind.NAMED_TYPE ? node.name.value : namedTypeName(node.type);
}

/** Whether an input object type can reach itself through its fields (directly or through others). */
function reachesItself(schema: GraphQLSchema, name: string): boolean {
  let memo = recursiveBySchema.get(schema);
  if (!memo) recursiveBySchema.set(schema, (memo = new Map()));
  const known = memo.get(name);
  if (known !== undefined) return known;
  const seen = new Set<string>();
  const stack = [name];
  let found = false;
  while (stack.length > 0 && !found) {
    const type = schema.getType(stack.pop() as string);
    if (!isInputObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const next = getNamedType(field.type as GraphQLInputType);
      if (!isInputObjectType(next)) continue;
      if (next.name === name) found = true;
      else if (!seen.has(next.name)) {
        seen.add(next.name);
        stack.push(next.name);
      }
    }
  }
  memo.set(name, found);
  return found;
}

/** Whether any operation of the document declares a variable of an input type that reaches itself. */
export function hasRecursiveVariable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const cached = verdictByDocument.get(document);
  if (cached !== undefined) return cached;
  let verdict = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      // A variable of an object type that merely contains a recursive one is unrolled too.
      if (containsRecursive(schema, namedTypeName(variable.type), new Set())) verdict = true;
    }
  }
  verdictByDocument.set(document, verdict);
  return verdict;
}

function containsRecursive(schema: GraphQLSchema, name: string, seen: Set<string>): boolean {
  const type = schema.getType(name);
  if (!isInputObjectType(type) || seen.has(name)) return false;
  if (reachesItself(schema, name)) return true;
  seen.add(name);
  return Object.values(type.getFields()).some((field) => containsRecursive(schema, getNamedType(field.type as GraphQLInputType).name, seen));
}
