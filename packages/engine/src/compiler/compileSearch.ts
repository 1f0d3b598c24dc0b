// `_search`: a multi-word, accent- and case-insensitive search over a model's searchable fields and
// its text display fields, and the relevance order a top-level search reads in.
//
// A record matches when EVERY word of the query matches SOME searched field (AND across words, OR
// across fields), so "jose garcia" finds firstName José + lastName García, in either word order. A
// word matches a field when the field contains it, or, for typos, when pg_trgm finds the two similar
// (`%`: similarity ≥ pg_trgm.similarity_threshold, 0.3 unless configured otherwise).
//
// Both sides are normalised in SQL by the same expression the search indexes are built on
// (tessera_unaccent(lower(…)), see db/migrations/modelTables.ts), so the GIN trigram indexes serve
// LIKE and `%` alike, and PostgreSQL's unaccent rules apply to the query as to the data (they fold
// letters such as ø or ß that a JavaScript NFD strip would not).
import { quoteIdent, UNACCENT_FUNCTION } from "@tessera/db";
import { findField, type FieldIR, type ModelIR } from "@tessera/schema";
import type { CompileContext } from "./CompileContext.ts";
import type { SortKey } from "./compileOrderBy.ts";
import { EngineError } from "../EngineError.ts";
import { textProblem } from "../validate/databaseValues.ts";
import { columnRef } from "./fieldOutput.ts";
import { escapeLike, LIKE_ESCAPE } from "./likePattern.ts";
import { TEXT_TYPES } from "./sqlTypes.ts";

type Path = (string | number)[];

/** Each word adds a term per searched field (twice), so the statement's size is bounded by this. */
export const MAX_SEARCH_WORDS = 16;

/** Relevance tiers, best first (the order's first key sorts ascending by them). */
export const SEARCH_TIERS = { exact: 0, prefix: 1, contains: 2, fuzzy: 3 } as const;

interface SearchPlan {
  /** Distinct words of the query, in the order given. */
  words: string[];
  /** Readable string/text fields searched: the model's `searchable` ones, then its display fields. */
  fields: FieldIR[];
  /** Readable string/text display fields, in display order (what the record is called). */
  display: FieldIR[];
}

/** Splits and checks a `_search` value; undefined (with an error recorded or thrown) when unusable. */
function planSearch(cc: CompileContext, model: ModelIR, value: unknown, path: Path, report: boolean): SearchPlan | undefined {
  if (typeof value !== "string") {
    if (report) cc.error(path, "type", "_search takes a string");
    return undefined;
  }
  const problem = textProblem(value);
  if (problem) {
    if (report) cc.error(path, "type", `_search ${problem}`);
    return undefined;
  }
  if (model.searchable.length === 0) {
    if (report) cc.error(path, "unknown_field", `${model.name} has no searchable fields`);
    return undefined;
  }
  const seen = new Set<string>();
  const words = value.split(/\s+/u).filter((w) => {
    const key = w.toLowerCase();
    if (w === "" || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (words.length > MAX_SEARCH_WORDS) {
    if (report) cc.error(path, "max", `_search takes at most ${MAX_SEARCH_WORDS} words`);
    return undefined;
  }
  const text = (name: string): FieldIR | undefined => {
    const field = findField(model, name);
    return field !== undefined && TEXT_TYPES.has(field.type) ? field : undefined;
  };
  // Only fields the request may read are searched: a search must not probe hidden values.
  const readable = (f: FieldIR | undefined): f is FieldIR => f !== undefined && cc.canRead(model, f);
  const display = model.ui.displayFields.map(text).filter(readable);
  const fields = [...model.searchable.map(text).filter(readable)];
  for (const field of display) if (!fields.includes(field)) fields.push(field);
  if (fields.length === 0) {
    const message = `none of ${model.name}'s searchable fields is readable for this principal`;
    throw new EngineError("FORBIDDEN", message, [{ path, message, rule: "field_access" }]);
  }
  return { words, fields, display };
}

/** `tessera_unaccent(lower(sql))`: the search indexes' expression, so they apply. */
function normalised(sql: string): string {
  return `${quoteIdent(UNACCENT_FUNCTION)}(lower(${sql}))`;
}

/** A word bound as it is (for similarity), normalised. Every bound parameter must appear in the SQL. */
function bindWord(cc: CompileContext, word: string): string {
  return normalised(cc.params.typed(word, "text"));
}

/** A word bound escaped for LIKE, normalised. */
function bindLike(cc: CompileContext, word: string): string {
  return normalised(cc.params.typed(escapeLike(word), "text"));
}

/** `column` contains the LIKE-escaped word `like`. */
function containsTerm(column: string, like: string): string {
  return `${column} LIKE '%' || ${like} || '%' ${LIKE_ESCAPE}`;
}

function anyOf(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0] : `(${terms.join(" OR ")})`;
}

function allOf(terms: readonly string[]): string {
  return terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join(" AND ");
}


/** The `_search` predicate over rows of `model` aliased `alias`; TRUE for a query of no words. */
export function compileSearch(cc: CompileContext, model: ModelIR, alias: string, value: unknown, path: Path): string | undefined {
  const plan = planSearch(cc, model, value, path, true);
  if (plan === undefined) return undefined;
  if (plan.words.length === 0) return "TRUE";
  const columns = plan.fields.map((f) => normalised(columnRef(alias, f.column)));
  return allOf(
    plan.words.map((w) => {
      const like = bindLike(cc, w);
      const word = bindWord(cc, w);
      return anyOf(columns.flatMap((c) => [containsTerm(c, like), `${c} % ${word}`]));
    }),
  );
}

/** Stand-in fields typing the computed sort keys (integers, never NULL) for cursors and keyset predicates. */
function rankField(name: string): FieldIR {
  return { name, column: name, type: "int", required: true, rules: [], system: true };
}

/**
 * Sort keys putting the best matches of a top-level `where._search` first: the tier (exact, prefix,
 * contains, fuzzy), then the similarity of the query to the record's name (per mille, so cursor
 * values stay exact integers). Empty when `where` has no usable top-level `_search`. Both are
 * functions of the row and the query alone, so keyset cursors over them stay stable; the query is
 * part of the keys' names, so a cursor made for another search is refused as another order.
 */
export function searchRankKeys(cc: CompileContext, model: ModelIR, alias: string, where: unknown): SortKey[] {
  if (typeof where !== "object" || where === null || Array.isArray(where)) return [];
  const value: unknown = (where as Record<string, unknown>)._search;
  if (value === undefined) return [];
  // Errors were reported by compileWhere; here an unusable search simply adds no keys.
  const plan = planSearch(cc, model, value, ["where", "_search"], false);
  if (plan === undefined || plan.words.length === 0) return [];
  const likes = plan.words.map((w) => bindLike(cc, w));
  const phrase = normalised(cc.params.typed(plan.words.join(" "), "text"));
  const columns = plan.fields.map((f) => normalised(columnRef(alias, f.column)));
  // The record's name: its display fields joined as the UI shows them ("José García"); a model
  // whose display fields are hidden or not text is named by its searched fields.
  const nameFields = plan.display.length > 0 ? plan.display : plan.fields;
  const name = normalised(`concat_ws(' ', ${nameFields.map((f) => columnRef(alias, f.column)).join(", ")})`);
  const wholeValues = nameFields.length > 1 ? [...columns, name] : columns;

  const exact = anyOf(wholeValues.map((c) => `${c} = ${phrase}`));
  // A word starts the value or one of its words ("gar" in "María García").
  const prefix = allOf(likes.map((like) => anyOf(columns.map((c) => `(' ' || ${c}) LIKE '% ' || ${like} || '%' ${LIKE_ESCAPE}`))));
  const contains = allOf(likes.map((like) => anyOf(columns.map((c) => containsTerm(c, like)))));
  const tier =
    `CASE WHEN ${exact} THEN ${SEARCH_TIERS.exact} WHEN ${prefix} THEN ${SEARCH_TIERS.prefix}` +
    ` WHEN ${contains} THEN ${SEARCH_TIERS.contains} ELSE ${SEARCH_TIERS.fuzzy} END`;
  const similarity = `round(similarity(${name}, ${phrase}) * 1000)::int`;
  const signature = plan.words.join(" ").toLowerCase();
  return [
    { field: rankField(`_relevance(${signature})`), direction: "ASC", expression: tier },
    { field: rankField(`_similarity(${signature})`), direction: "DESC", expression: similarity },
  ];
}
