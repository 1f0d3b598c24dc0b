export { filterOperatorsFor, SUFFIX_OPERATORS, TO_MANY_SUFFIXES, LIST_OPERATORS, type FilterOperator } from "./filterOperators.ts";
export { PRINCIPAL_PLACEHOLDERS, isPrincipalPlaceholder, type PrincipalPlaceholder } from "./principalPlaceholders.ts";
export { ACCESS_ACTIONS, resourceName, permissionName, matchesPattern, policyCovers, listPermissions, type PermissionEntry } from "./permissions.ts";
export { parseRoleList } from "./roleList.ts";
export { checkWhere } from "./checkWhere.ts";
