// Validates first/last/skip/after/before and decides the direction of travel.
import type { PageArgs } from "../queryTypes.ts";
import type { CompileContext } from "./CompileContext.ts";
import type { SortKey } from "./compileOrderBy.ts";
import { decodeCursor, type CursorValues } from "./cursor.ts";

export interface PageOptions {
  defaultPageSize: number;
  maxPageSize: number;
}

export interface PagePlan {
  /** `backward` for `last` (or `before` alone): the order is walked in reverse and re-reversed after. */
  direction: "forward" | "backward";
  /** Rows to return; undefined means all (includes without first/last). */
  size: number | undefined;
  skip: number;
  after?: CursorValues;
  before?: CursorValues;
}

type Path = (string | number)[];

function checkCount(cc: CompileContext, args: PageArgs, name: "first" | "last" | "skip", path: Path, max: number | undefined): number | undefined {
  const value: unknown = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    cc.error([...path, name], "type", `${name} must be a non-negative integer`);
    return undefined;
  }
  if (max !== undefined && value > max) {
    cc.error([...path, name], "max", `${name} must be at most ${max}`);
    return undefined;
  }
  return value;
}

/** Page plan of a list read; cursors are decoded against `keys`. */
export function planPage(cc: CompileContext, args: PageArgs, keys: readonly SortKey[], options: PageOptions, path: Path = []): PagePlan {
  const first = checkCount(cc, args, "first", path, options.maxPageSize);
  const last = checkCount(cc, args, "last", path, options.maxPageSize);
  const skip = checkCount(cc, args, "skip", path, undefined) ?? 0;
  const has = (name: keyof PageArgs): boolean => args[name] !== undefined && args[name] !== null;
  if (has("first") && has("last")) cc.error([...path, "last"], "conflict", "first and last cannot be used together");
  if (has("first") && has("before")) cc.error([...path, "before"], "conflict", "first cannot be used with before (use last)");
  if (has("last") && has("after")) cc.error([...path, "after"], "conflict", "last cannot be used with after (use first)");
  const after = has("after") ? decodeCursor(cc, keys, args.after, [...path, "after"]) : undefined;
  const before = has("before") ? decodeCursor(cc, keys, args.before, [...path, "before"]) : undefined;
  const backward = has("last") || (has("before") && !has("first") && !has("after"));
  return {
    direction: backward ? "backward" : "forward",
    size: (backward ? last : first) ?? options.defaultPageSize,
    skip,
    after,
    before,
  };
}

/** Page plan of an include: first/last/skip only (nested lists carry no cursors); no limit by default. */
export function planIncludePage(cc: CompileContext, args: PageArgs, maxPageSize: number, path: Path): PagePlan {
  const first = checkCount(cc, args, "first", path, maxPageSize);
  const last = checkCount(cc, args, "last", path, maxPageSize);
  const skip = checkCount(cc, args, "skip", path, undefined) ?? 0;
  if (args.first !== undefined && args.last !== undefined) cc.error([...path, "last"], "conflict", "first and last cannot be used together");
  for (const name of ["after", "before"] as const) {
    if (args[name] !== undefined) cc.error([...path, name], "unknown_field", `${name} is not available on included relationships (use skip)`);
  }
  const backward = args.last !== undefined;
  return { direction: backward ? "backward" : "forward", size: backward ? last : first, skip };
}

/**
 * `LIMIT n` with the count as a literal, not a parameter. The count is a validated integer (at most
 * the page size plus one), so the text stays bounded in variety while PostgreSQL can plan the
 * statement once: with `LIMIT $n` a prepared statement's generic plan is costed as if 10% of the
 * rows were fetched, loses to the custom plan, and every execution is planned again.
 */
export function limitSql(count: number): string {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`page limit must be a non-negative integer, got ${count}`);
  return `LIMIT ${count}`;
}
