// A list's state (columns, sort, filters, search text, page) in the URL's query string, so Back,
// reload and a pasted link show the same list. Parameters:
//   q=garcia  sort=lastName_ASC  f=status:eq:active (repeatable)  page=2 (1-based)  cols=firstName,email
// Anything malformed or stale (an unknown field, a bad direction, page=abc) is dropped and the
// list's default used instead: a URL never breaks the page.
import { defaultColumns, type ModelDescription } from "../api/meta.ts";
import { ruleToWhere, type FilterRule } from "./filters.ts";
import type { SavedView } from "./savedViews.ts";

export interface ListState {
  columns: string[];
  sort: SavedView["sort"];
  filters: FilterRule[];
  search: string;
  /** 0-based. */
  page: number;
}

export function defaultListState(model: ModelDescription): ListState {
  return { columns: defaultColumns(model), sort: null, filters: [], search: "", page: 0 };
}

const filterable = (model: ModelDescription) => model.fields.filter((f) => f.type !== "json");

function operatorsOf(model: ModelDescription, fieldName: string): string[] | null {
  const field = filterable(model).find((f) => f.name === fieldName);
  if (!field) return null;
  return field.type === "array" ? field.operators.filter((o) => o !== "not") : ["eq", ...field.operators];
}

function parseSort(model: ModelDescription, text: string | null): SavedView["sort"] {
  if (!text) return null;
  const cut = text.lastIndexOf("_");
  if (cut <= 0) return null;
  const field = text.slice(0, cut);
  const dir = text.slice(cut + 1);
  if (dir !== "ASC" && dir !== "DESC") return null;
  return model.fields.some((f) => f.name === field && f.sortable) ? { field, dir } : null;
}

function parseFilter(model: ModelDescription, text: string, strict: boolean): FilterRule | null {
  const first = text.indexOf(":");
  const second = first < 0 ? -1 : text.indexOf(":", first + 1);
  if (second < 0) return null;
  const rule = { field: text.slice(0, first), op: text.slice(first + 1, second), value: text.slice(second + 1) };
  if (!operatorsOf(model, rule.field)?.includes(rule.op)) return null;
  if (strict) {
    try {
      ruleToWhere(model, rule);
    } catch {
      return null;
    }
  }
  return rule;
}

/**
 * The list state a query string describes. `strict` also drops filter rules whose value the API
 * could not take (wanted for a link or a reload; while someone types, a half-typed value stays).
 */
export function parseListState(model: ModelDescription, search: string, strict = false): ListState {
  const params = new URLSearchParams(search);
  const state = defaultListState(model);
  const columnNames = new Set(filterable(model).map((f) => f.name));
  const cols = params.get("cols");
  if (cols !== null) {
    const chosen = [...new Set(cols.split(",").filter((c) => columnNames.has(c)))];
    if (chosen.length > 0) state.columns = chosen;
  }
  state.sort = parseSort(model, params.get("sort"));
  state.filters = params.getAll("f").map((f) => parseFilter(model, f, strict)).filter((r) => r !== null);
  if (model.searchable.length > 0) state.search = params.get("q") ?? "";
  const page = Number(params.get("page"));
  if (Number.isSafeInteger(page) && page > 1) state.page = page - 1;
  return state;
}

/** Readable: ':' and ',' stay as they are, spaces become '+'. */
const encode = (text: string) => encodeURIComponent(text).replace(/%3A/gi, ":").replace(/%2C/gi, ",").replace(/%20/g, "+");

/** The query string (with its '?', or "" for the defaults) of a list state. */
export function formatListState(model: ModelDescription, state: ListState): string {
  const parts: string[] = [];
  if (state.search !== "") parts.push(`q=${encode(state.search)}`);
  if (state.sort) parts.push(`sort=${encode(`${state.sort.field}_${state.sort.dir}`)}`);
  for (const rule of state.filters) parts.push(`f=${encode(`${rule.field}:${rule.op}:${rule.value}`)}`);
  if (state.page > 0) parts.push(`page=${state.page + 1}`);
  const defaults = defaultColumns(model);
  if (state.columns.length !== defaults.length || state.columns.some((c, i) => c !== defaults[i])) parts.push(`cols=${encode(state.columns.join(","))}`);
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}
