// The read-side query compiler: each function compiles one read into exactly one SQL statement
// plus the decoder of its result rows.
export { SqlParams, type CompiledQuery } from "./SqlParams.ts";
export type { CompiledRead, ResultRow } from "./CompiledRead.ts";
export { CompileContext } from "./CompileContext.ts";
export { compileFindMany } from "./compileFindMany.ts";
export { checkArgKeys } from "./checkArgKeys.ts";
export { compileFindUnique, uniqueFieldNames, type FindUniqueOptions } from "./compileFindUnique.ts";
export { compileAggregate } from "./compileAggregate.ts";
export { compileGroupBy } from "./compileGroupBy.ts";
export { compileWhere, operatorsFor, type FilterOperator } from "./compileWhere.ts";
export { parseOrderBy, orderBySql, orderSignature, type SortKey, type SortDirection } from "./compileOrderBy.ts";
export { compileProjection, selectedFields } from "./compileProjection.ts";
export { encodeCursor, decodeCursor, keysetPredicate, type CursorValues } from "./cursor.ts";
export { planPage, type PageOptions, type PagePlan } from "./pageArgs.ts";
export { coerceValue, UUID_PATTERN, type Coerced } from "./coerceValue.ts";
export { outputValueSql, cursorValueSql, columnRef, jsonObjectSql } from "./fieldOutput.ts";
export { scopePredicates, type DeletedMode } from "./tenantScope.ts";
export { columnSqlType, elementType, sqlTypeOf, type ValueType } from "./sqlTypes.ts";
export { escapeLike } from "./likePattern.ts";
export { pgArrayLiteral } from "./pgArrayLiteral.ts";
