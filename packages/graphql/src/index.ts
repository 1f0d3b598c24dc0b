export { buildGraphQLSchema, SchemaBuildError } from "./buildGraphQLSchema.ts";
export { createGraphQLContext, type GraphQLContext } from "./context.ts";
export { executeGraphQL, type ExecuteGraphQLOptions, type GraphQLResponse } from "./executeGraphQL.ts";
export { graphqlPlugin, type GraphQLPluginOptions } from "./graphqlPlugin.ts";
export { toGraphQLError, formatGraphQLError, type TesseraErrorExtensions } from "./errors.ts";
export { depthLimitRule, estimateCost, checkCost, countWrittenRecords, checkWrites, DEFAULT_MAX_COST, DEFAULT_MAX_DEPTH, DEFAULT_MAX_WRITE_RECORDS, type QueryLimits, type CostOptions, type WriteCountOptions } from "./limits.ts";
export { toGlobalId, fromGlobalId } from "./globalId.ts";
export { DecimalScalar, MoneyScalar, DateScalar, DateTimeScalar, JSONScalar } from "./scalars.ts";
export {
  graphqlSubscriptionsPlugin,
  GRAPHQL_WS_PATH,
  type GraphQLSubscriptionsOptions,
  type ConnectionParams,
} from "./subscriptions/graphqlWsPlugin.ts";
export { connectionHeaders, ConnectionParamsError } from "./subscriptions/connectionParams.ts";
export { ChangeEventHub, ChangeStream, ChangeFailure, DEFAULT_QUEUE_LIMIT, type ChangeEventHubOptions, type ChangeEventHubStats, type ChangeStreamItem } from "./subscriptions/ChangeEventHub.ts";
export { ChangeFilter, previousImage, type ChangePayload, type ChangeSubscriptionSpec, type ChangeType } from "./subscriptions/changeEvents.ts";
export type { SubscriptionContext } from "./subscriptions/subscriptionFields.ts";
export { traceRootResolvers } from "./tracing.ts";
export { describeApi, type ApiDescription, type ModelDescription, type FieldDescription, type RelationDescription } from "./describeApi.ts";
export { modelNames } from "./names.ts";
