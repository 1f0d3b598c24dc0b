// Saved list views, per user and model, in this browser's localStorage (docs/decisions.md says why
// not on the server yet).
import type { FilterRule } from "./filters.ts";

export interface SavedView {
  name: string;
  columns: string[];
  filters: FilterRule[];
  search: string;
  sort: { field: string; dir: "ASC" | "DESC" } | null;
}

const key = (userId: string, model: string) => `tessera.views.${userId}.${model}`;

export function loadViews(userId: string, model: string): SavedView[] {
  try {
    return JSON.parse(localStorage.getItem(key(userId, model)) ?? "[]") as SavedView[];
  } catch {
    return [];
  }
}

export function saveViews(userId: string, model: string, views: SavedView[]): void {
  localStorage.setItem(key(userId, model), JSON.stringify(views));
}
