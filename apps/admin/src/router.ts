// Client-side routes on the History API. Small on purpose: a handful of path patterns, no nesting.
import { useSyncExternalStore } from "react";

export type Route =
  | { page: "dashboard" }
  | { page: "board" }
  | { page: "list"; model: string }
  | { page: "trash"; model: string }
  | { page: "new"; model: string }
  | { page: "detail"; model: string; id: string }
  | { page: "edit"; model: string; id: string }
  | { page: "import"; model: string }
  | { page: "notFound" };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "dashboard" };
  if (parts[0] === "board" && parts.length === 1) return { page: "board" };
  if (parts[0] === "import" && parts.length === 2) return { page: "import", model: parts[1] };
  if (parts[0] !== "m" || parts.length < 2) return { page: "notFound" };
  const model = parts[1];
  if (parts.length === 2) return { page: "list", model };
  if (parts.length === 3 && parts[2] === "trash") return { page: "trash", model };
  if (parts.length === 3 && parts[2] === "new") return { page: "new", model };
  if (parts.length === 3) return { page: "detail", model, id: parts[2] };
  if (parts.length === 4 && parts[3] === "edit") return { page: "edit", model, id: parts[2] };
  return { page: "notFound" };
}

export const paths = {
  dashboard: () => "/",
  board: () => "/board",
  list: (model: string) => `/m/${model}`,
  trash: (model: string) => `/m/${model}/trash`,
  create: (model: string) => `/m/${model}/new`,
  detail: (model: string, id: string) => `/m/${model}/${id}`,
  edit: (model: string, id: string) => `/m/${model}/${id}/edit`,
  import: (model: string) => `/import/${model}`,
};

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

/**
 * Changes only the query string of the current page (a list's state). `push` adds a history entry
 * (Back returns to the previous state); otherwise the current entry is replaced. No scrolling.
 */
export function setQueryString(search: string, push: boolean): void {
  const url = location.pathname + search;
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  listeners.forEach((l) => l());
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
};

export function useLocationPath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/** The current query string, with its '?' ("" when there is none). */
export function useLocationSearch(): string {
  return useSyncExternalStore(subscribe, () => location.search);
}

/** Props for an <a> that navigates without reloading, and still opens in a new tab on Ctrl-click. */
export function linkProps(path: string): { href: string; onClick: (event: React.MouseEvent) => void } {
  return {
    href: path,
    onClick: (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(path);
    },
  };
}
