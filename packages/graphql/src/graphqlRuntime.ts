// graphql-js, always the CommonJS build. graphql 16 ships CJS (main) and ESM (module) copies; Node
// loads the CJS one for `import "graphql"` and for mercurius, but vitest and bundlers pick the ESM
// one, and graphql refuses to mix objects of the two ("from another module or realm"). Every value
// this package takes from graphql comes through here, so schema, resolvers and mercurius share one.
import { createRequire } from "node:module";
import type * as G from "graphql";

const graphql = createRequire(import.meta.url)("graphql") as typeof G;

export const {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLFloat,
  GraphQLID,
  GraphQLIncludeDirective,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLSkipDirective,
  GraphQLString,
  Kind,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  printSchema,
  specifiedRules,
  validate,
} = graphql;

// The classes are types too (defaults as in graphql-js; this module is internal to the package).
export type GraphQLError = G.GraphQLError;
export type GraphQLSchema = G.GraphQLSchema;
export type GraphQLEnumType = G.GraphQLEnumType;
export type GraphQLInputObjectType = G.GraphQLInputObjectType;
export type GraphQLInterfaceType = G.GraphQLInterfaceType;
export type GraphQLObjectType<TSource = any, TContext = any> = G.GraphQLObjectType<TSource, TContext>;
export type GraphQLScalarType<TInternal = unknown, TExternal = TInternal> = G.GraphQLScalarType<TInternal, TExternal>;
export type GraphQLList<T extends G.GraphQLType> = G.GraphQLList<T>;
export type GraphQLNonNull<T extends G.GraphQLNullableType> = G.GraphQLNonNull<T>;
