// The list of one model (or its trash): sortable columns, search, filters, column chooser, saved
// views, pagination, CSV export of exactly what is shown (the API applies the same permissions).
// Columns, sort, filters, search and page live in the URL's query string (components/listState.ts):
// each change is a history entry, so Back returns to the previous list and reload keeps it.
import { useEffect, useMemo, useRef, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, download, gql } from "../api/client.ts";
import { listDocument, restoreDocument } from "../api/documents.ts";
import { defaultColumns, type ApiDescription, type ModelDescription } from "../api/meta.ts";
import { useSession } from "../auth/session.ts";
import { FieldValue, displayName } from "../components/FieldValue.tsx";
import { FilterBuilder } from "../components/FilterBuilder.tsx";
import { buildWhere } from "../components/filters.ts";
import { formatListState, parseListState, type ListState } from "../components/listState.ts";
import { loadViews, saveViews, type SavedView } from "../components/savedViews.ts";
import { EmptyState, ErrorState } from "../components/States.tsx";
import { toast } from "../components/Toasts.tsx";
import { humanize, strings } from "../i18n/strings.ts";
import { linkProps, paths, setQueryString, useLocationSearch } from "../router.ts";

const PAGE_SIZE = 25;
type Row = Record<string, unknown>;

export function ListView({ meta, model, trash }: { meta: ApiDescription; model: ModelDescription; trash: boolean }) {
  const session = useSession()!;
  const client = useQueryClient();
  const query = useLocationSearch();
  const state = useMemo(() => parseListState(model, query), [model, query]);
  const { columns, sort, filters, search, page } = state;
  // The kind of the last change and the query string it wrote: typing more of the same search (or
  // filter) replaces that history entry, so Back is one step per edit rather than per key.
  const lastChange = useRef<{ kind: string; query: string } | null>(null);
  const update = (patch: Partial<ListState>, kind: string) => {
    const next = formatListState(model, { ...state, ...patch });
    const typing = kind === "search" || kind === "filters";
    const push = !(typing && lastChange.current?.kind === kind && lastChange.current.query === location.search);
    setQueryString(next, push);
    lastChange.current = { kind, query: next };
  };
  // A link or a reload: drop what this model cannot show (unknown fields, values the API refuses).
  useEffect(() => {
    const canonical = formatListState(model, parseListState(model, location.search, true));
    if (canonical !== location.search) setQueryString(canonical, false);
  }, [model]);
  const [showFilters, setShowFilters] = useState(() => filters.length > 0);
  const [showColumns, setShowColumns] = useState(false);
  const [views, setViews] = useState<SavedView[]>(() => loadViews(session.user.id, model.name));
  const { where, filterError } = useMemo(() => {
    try {
      return { where: buildWhere(model, filters, search), filterError: null };
    } catch (e) {
      return { where: undefined, filterError: (e as Error).message };
    }
  }, [model, filters, search]);
  const orderBy = sort ? [`${sort.field}_${sort.dir}`] : undefined;
  const variables = { where, orderBy, first: PAGE_SIZE, skip: page * PAGE_SIZE, deleted: trash ? "ONLY" : "EXCLUDE" };
  const list = useQuery({
    queryKey: ["list", model.name, columns, variables],
    queryFn: () => gql<{ list: { edges: { node: Row }[]; aggregate: { count: number } } }>(listDocument(model, columns, meta.models), variables),
    placeholderData: keepPreviousData,
  });
  const restore = useMutation({
    mutationFn: (row: Row) => gql(restoreDocument(model), { id: row[model.primaryKey] }),
    onSuccess: (_data, row) => {
      toast(strings.list.restored(displayName(model, row)), "success");
      void client.invalidateQueries({ queryKey: ["list", model.name] });
    },
    onError: (error) => toast(error.message, "error"),
  });

  const count = list.data?.list.aggregate.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const rows = list.data?.list.edges.map((e) => e.node) ?? [];
  const fields = columns.map((c) => model.fields.find((f) => f.name === c)).filter((f) => f !== undefined);
  const title = trash ? strings.list.trashTitle(humanize(model.plural)) : humanize(model.plural);

  // A page number past the end (a stale link, or rows deleted since): back to the first page.
  const stalePage = Boolean(list.data && !list.isPlaceholderData && page > 0 && page >= pages);
  useEffect(() => {
    if (stalePage) setQueryString(formatListState(model, { ...parseListState(model, location.search), page: 0 }), false);
  }, [stalePage, model]);

  const toggleSort = (field: string) => {
    const next: SavedView["sort"] = sort?.field === field ? (sort.dir === "ASC" ? { field, dir: "DESC" } : null) : { field, dir: "ASC" };
    update({ sort: next, page: 0 }, "sort");
  };
  const applyView = (name: string) => {
    const view = views.find((v) => v.name === name);
    if (!view) {
      update({ columns: defaultColumns(model), filters: [], search: "", sort: null, page: 0 }, "view");
    } else {
      const chosen = view.columns.filter((c) => model.fields.some((f) => f.name === c));
      update({ columns: chosen.length > 0 ? chosen : defaultColumns(model), filters: view.filters, search: view.search, sort: view.sort, page: 0 }, "view");
    }
  };
  const saveView = () => {
    const name = window.prompt(strings.list.viewName)?.trim();
    if (!name) return;
    const next = [...views.filter((v) => v.name !== name), { name, columns, filters, search, sort }];
    setViews(next);
    saveViews(session.user.id, model.name, next);
  };
  const exportCsv = async () => {
    const params = new URLSearchParams();
    if (where) params.set("where", JSON.stringify(where));
    if (orderBy) params.set("orderBy", orderBy.join(","));
    params.set("fields", columns.join(","));
    try {
      await download(`/api/export/${model.name}.csv?${params.toString()}`, `${model.plural}.csv`);
    } catch (e) {
      toast(e instanceof ApiError ? e.message : String(e), "error");
    }
  };

  return (
    <section className="list-view">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {list.data && <p className="muted" data-testid="list-count">{strings.list.count(count)}</p>}
        </div>
        <div className="actions">
          {trash ? (
            <a className="button ghost" {...linkProps(paths.list(model.name))}>{strings.list.backToList(humanize(model.plural))}</a>
          ) : (
            <>
              {meta.config.softDeletes && model.can.delete && (
                <a className="button ghost" {...linkProps(paths.trash(model.name))}>{strings.list.trash}</a>
              )}
              <button type="button" className="ghost" onClick={() => void exportCsv()}>{strings.list.export}</button>
              {model.can.create && (
                <a className="button ghost" {...linkProps(paths.import(model.name))}>{strings.list.import}</a>
              )}
              {model.can.create && (
                <a className="button primary" {...linkProps(paths.create(model.name))}>{strings.list.new}</a>
              )}
            </>
          )}
        </div>
      </header>

      <div className="toolbar">
        {model.searchable.length > 0 && (
          <input
            type="search"
            aria-label={strings.list.search}
            placeholder={strings.list.searchPlaceholder(humanize(model.plural).toLowerCase())}
            value={search}
            onChange={(e) => update({ search: e.target.value, page: 0 }, "search")}
          />
        )}
        <button type="button" aria-expanded={showFilters} onClick={() => setShowFilters((s) => !s)}>
          {strings.list.filters}{filters.length > 0 ? ` (${filters.length})` : ""}
        </button>
        <button type="button" aria-expanded={showColumns} onClick={() => setShowColumns((s) => !s)}>
          {strings.list.columns}
        </button>
        {!trash && (
          <>
            <label className="sr-only" htmlFor="saved-view">{strings.list.views}</label>
            <select id="saved-view" onChange={(e) => applyView(e.target.value)} defaultValue="">
              <option value="">{strings.list.allRecords}</option>
              {views.map((v) => (
                <option key={v.name} value={v.name}>{v.name}</option>
              ))}
            </select>
            <button type="button" className="ghost" onClick={saveView}>{strings.list.saveView}</button>
          </>
        )}
      </div>
      {showFilters && (
        <FilterBuilder
          model={model}
          rules={filters}
          onChange={(r) => update({ filters: r, page: 0 }, "filters")}
        />
      )}
      {filterError && <p className="error-text" role="alert">{filterError}</p>}
      {showColumns && (
        <fieldset className="column-chooser">
          <legend>{strings.list.columns}</legend>
          {model.fields
            .filter((f) => f.type !== "json")
            .map((f) => (
              <label key={f.name}>
                <input
                  type="checkbox"
                  checked={columns.includes(f.name)}
                  onChange={(e) => update({ columns: e.target.checked ? [...columns, f.name] : columns.filter((c) => c !== f.name) }, "columns")}
                />
                {humanize(f.name)}
              </label>
            ))}
        </fieldset>
      )}

      {list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data && rows.length === 0 ? (
        <EmptyState text={filters.length > 0 || search ? strings.list.emptyFiltered : strings.list.empty(humanize(model.plural).toLowerCase())}>
          {!trash && model.can.create && filters.length === 0 && !search && (
            <a className="button primary" {...linkProps(paths.create(model.name))}>{strings.list.new}</a>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="records" aria-busy={list.isFetching}>
            <thead>
              <tr>
                {fields.map((f) => (
                  <th key={f.name} aria-sort={sort?.field === f.name ? (sort.dir === "ASC" ? "ascending" : "descending") : undefined}>
                    {f.sortable ? (
                      <button type="button" className="sort" onClick={() => toggleSort(f.name)} aria-label={strings.list.sortBy(humanize(f.name))}>
                        {humanize(f.name)} {sort?.field === f.name ? (sort.dir === "ASC" ? "▲" : "▼") : ""}
                      </button>
                    ) : (
                      humanize(f.name)
                    )}
                  </th>
                ))}
                {trash && <th><span className="sr-only">{strings.list.restore}</span></th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={String(row[model.primaryKey])}>
                  {fields.map((f, i) => (
                    <td key={f.name} data-label={humanize(f.name)}>
                      {i === 0 ? (
                        <a className="row-link" {...linkProps(paths.detail(model.name, String(row[model.primaryKey])))}>
                          {f.references ? displayName(model, row) : <FieldValue field={f} row={row} models={meta.models} />}
                        </a>
                      ) : (
                        <FieldValue field={f} row={row} models={meta.models} />
                      )}
                    </td>
                  ))}
                  {trash && (
                    <td>
                      <button type="button" onClick={() => restore.mutate(row)} disabled={restore.isPending}>
                        {strings.list.restore}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label="Pagination">
          <button type="button" onClick={() => update({ page: page - 1 }, "page")} disabled={page === 0} aria-label={strings.list.previous}>‹</button>
          <span>{strings.list.page(page + 1, pages)}</span>
          <button type="button" onClick={() => update({ page: page + 1 }, "page")} disabled={page + 1 >= pages} aria-label={strings.list.next}>›</button>
        </nav>
      )}
    </section>
  );
}
