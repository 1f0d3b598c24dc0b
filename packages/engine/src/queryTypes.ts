// Arguments of engine reads, in the API's (Hygraph) vocabulary. Plain data: GraphQL arguments map 1:1.

/**
 * A filter. Keys: a field name (equality), a field name with an operator suffix
 * (`_not`, `_in`, `_not_in`, `_lt`, `_lte`, `_gt`, `_gte`, `_contains`, `_not_contains`,
 * `_starts_with`, `_not_starts_with`, `_ends_with`, `_not_ends_with`, `_contains_all`,
 * `_contains_some`, `_contains_none`), `AND`/`OR`/`NOT`, a to-one relation name (a nested Where),
 * a to-many relation name with `_some`/`_every`/`_none`, and `_search` (every word in some searchable or
 * display field, accents and case ignored, typos by trigram similarity; a top-level `_search` without an
 * orderBy reads best matches first — see compiler/compileSearch.ts).
 */
export type Where = { [key: string]: unknown };

/** `"value_DESC"` or a list of them; the primary key is always appended as a tie-breaker. */
export type OrderBy = string | readonly string[];

export interface PageArgs {
  first?: number;
  last?: number;
  skip?: number;
  after?: string;
  before?: string;
}

/** What to return: `fields` (default: every readable field) and `include` for relationships. */
export interface Selection {
  fields?: readonly string[];
  include?: { [relation: string]: true | IncludeArgs };
}

/** Include of a relationship; `where`, `orderBy` and paging apply to to-many relationships. */
export interface IncludeArgs extends Selection, PageArgs {
  where?: Where;
  orderBy?: OrderBy;
}

export interface FindManyArgs extends Selection, PageArgs {
  where?: Where;
  orderBy?: OrderBy;
  /** Soft-deleted rows: hidden by default; `include` shows both; `only` is the trash. */
  deleted?: "exclude" | "include" | "only";
  /** Also count every row matching `where` (ignoring paging), in the same statement. */
  withTotalCount?: boolean;
  /** Aggregates over every row matching `where` (ignoring paging), in the same statement: `Page.aggregate`. */
  aggregate?: AggregateOptions;
}

/** What `FindManyArgs.aggregate` computes; `count` only when asked for. */
export interface AggregateOptions {
  count?: boolean;
  sum?: readonly string[];
  avg?: readonly string[];
  min?: readonly string[];
  max?: readonly string[];
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  pageSize: number;
}

export type RecordData = { [field: string]: unknown };

export interface Page<T = RecordData> {
  nodes: T[];
  /** Opaque cursor of each node, same order as `nodes`. */
  cursors: string[];
  pageInfo: PageInfo;
  totalCount?: number;
  /** Present when `FindManyArgs.aggregate` was given. */
  aggregate?: AggregateResult;
}

export interface AggregateArgs {
  where?: Where;
  deleted?: "exclude" | "include" | "only";
  count?: boolean;
  sum?: readonly string[];
  avg?: readonly string[];
  min?: readonly string[];
  max?: readonly string[];
}

export interface AggregateResult {
  count?: number;
  sum?: { [field: string]: number | string | null };
  avg?: { [field: string]: number | string | null };
  min?: { [field: string]: unknown };
  max?: { [field: string]: unknown };
}

export interface GroupByArgs extends Omit<AggregateArgs, "count"> {
  by: readonly string[];
  orderBy?: OrderBy;
}

export interface GroupRow extends AggregateResult {
  key: { [field: string]: unknown };
  count: number;
}

/**
 * Who a read or write runs for; tenancy and authorisation are applied from it. A null principal is
 * anonymous (only `public` access); kind "system" is the unchecked system API (see `systemContext`).
 */
export interface Principal {
  /** The user's id (User.id) or the service's name; `$principal.sub` in row rules. */
  sub: string;
  /** Roles, matched case-insensitively against the schema's role lists. */
  roles: readonly string[];
  kind: "user" | "service" | "system";
  /** Team ids (`$principal.teams` in row rules), from the token's claims or the auth layer; never looked up by the engine. */
  teams?: readonly string[];
  /**
   * Explicit permissions (API keys, scoped tokens): when present, every action also needs its
   * permission name (`crm.deal.read`) to match one of these patterns (`*` wildcards).
   */
  permissions?: readonly string[];
}

export interface RequestContext {
  tenantId: string | null;
  principal: Principal | null;
  /** Set when an admin acts on behalf of someone else; recorded in the event log. */
  impersonator?: string | null;
  correlationId?: string | null;
}
