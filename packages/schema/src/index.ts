export * from "./ir.ts";
export type * from "./rawSchema.ts";
export { SchemaLoadError, type SchemaIssue } from "./SchemaLoadError.ts";
export { normaliseSchema, DEFAULT_CONFIG } from "./normaliseSchema.ts";
export { parseRule, splitRules } from "./parseRule.ts";
export { pluralize, snakeCase, lowerFirst } from "./names.ts";
export {
  defineSchema,
  defineEnum,
  model,
  f,
  belongsTo,
  hasMany,
  manyToMany,
  FieldBuilder,
  type DefinedSchema,
  type EnumDef,
  type RecordOf,
  type RecordOfFields,
} from "./defineSchema.ts";
export {
  listPermissions,
  permissionName,
  resourceName,
  matchesPattern,
  policyCovers,
  filterOperatorsFor,
  SUFFIX_OPERATORS,
  TO_MANY_SUFFIXES,
  LIST_OPERATORS,
  isPrincipalPlaceholder,
  PRINCIPAL_PLACEHOLDERS,
  ACCESS_ACTIONS,
  type FilterOperator,
  type PermissionEntry,
  type PrincipalPlaceholder,
} from "./authorization/index.ts";
export { findModel, findField, findRelation, type SchemaIndex } from "./lookup.ts";
export {
  readInterfaceSchema,
  loadInterfaceSchema,
  type ID,
  type Text,
  type Int,
  type Float,
  type Decimal,
  type Money,
  type DateOnly,
  type DateTime,
  type Json,
  type InterfaceModel,
  type InterfaceSchema,
} from "./interfaceForm/index.ts";
export { UUID_PATTERN } from "./uuid.ts";
export { PLATFORM_MODEL_NAMES, PLATFORM_MODELS, withPlatformModels, type PlatformModelName } from "./platformModels.ts";
