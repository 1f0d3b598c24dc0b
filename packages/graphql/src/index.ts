export { buildGraphQLSchema, SchemaBuildError } from "./buildGraphQLSchema.ts";
export { createGraphQLContext, type GraphQLContext } from "./context.ts";
export { executeGraphQL, type ExecuteGraphQLOptions, type GraphQLResponse } from "./executeGraphQL.ts";
export { graphqlPlugin, type GraphQLPluginOptions } from "./graphqlPlugin.ts";
export { toGraphQLError, formatGraphQLError, type TesseraErrorExtensions } from "./errors.ts";
export { depthLimitRule, estimateCost, checkCost, DEFAULT_MAX_COST, DEFAULT_MAX_DEPTH, type QueryLimits, type CostOptions } from "./limits.ts";
export { toGlobalId, fromGlobalId } from "./globalId.ts";
export { DecimalScalar, MoneyScalar, DateScalar, DateTimeScalar, JSONScalar } from "./scalars.ts";
