// Ctrl/Cmd-K: one GraphQL document searching every readable model with searchable fields (one
// statement per model, accent- and case-insensitive in the engine), results grouped by model.
// No orderBy: a `_search` without one comes back best match first, so the five hits per model are
// the five most relevant ("jose garcia" puts José García before names merely containing both words).
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { gql } from "../api/client.ts";
import { displaySelection } from "../api/documents.ts";
import type { ApiDescription } from "../api/meta.ts";
import { displayName } from "../components/FieldValue.tsx";
import { humanize, strings } from "../i18n/strings.ts";
import { navigate, paths } from "../router.ts";

type Row = Record<string, unknown>;

export function SearchPalette({ meta, onClose }: { meta: ApiDescription; onClose: () => void }) {
  const [text, setText] = useState("");
  const [debounced, setDebounced] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(text.trim()), 150);
    return () => clearTimeout(t);
  }, [text]);

  const models = meta.models.filter((m) => m.can.read && m.searchable.length > 0);
  const document = `query Search($q: String!) { ${models
    .map((m, i) => {
      return `m${i}: ${m.api.plural}(where: { _search: $q }, first: 5) { ${m.primaryKey} ${displaySelection(m)} }`;
    })
    .join(" ")} }`;
  const results = useQuery({
    queryKey: ["search", debounced],
    queryFn: () => gql<Record<string, Row[]>>(document, { q: debounced }),
    enabled: debounced.length >= 2 && models.length > 0,
  });
  const groups = models
    .map((m, i) => ({ model: m, rows: results.data?.[`m${i}`] ?? [] }))
    .filter((g) => g.rows.length > 0);
  const flat = groups.flatMap((g) => g.rows.map((row) => ({ model: g.model, row })));
  const open = (index: number) => {
    const hit = flat[index];
    if (!hit) return;
    onClose();
    navigate(paths.detail(hit.model.name, String(hit.row[hit.model.primaryKey])));
  };

  let position = -1;
  return (
    <div className="overlay" role="presentation" onMouseDown={onClose}>
      <div className="palette" role="dialog" aria-modal="true" aria-label={strings.search.title} onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-expanded={flat.length > 0}
          aria-controls="search-results"
          aria-activedescendant={flat.length > 0 ? `search-hit-${active}` : undefined}
          aria-label={strings.search.title}
          placeholder={strings.search.placeholder}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            else if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, flat.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              open(active);
            }
          }}
        />
        <div id="search-results" role="listbox" aria-label={strings.search.title} className="palette-results">
          {debounced.length < 2 && <p className="muted">{strings.search.hint}</p>}
          {results.data && flat.length === 0 && <p className="muted">{strings.search.empty}</p>}
          {groups.map((g) => (
            <div key={g.model.name} role="group" aria-label={humanize(g.model.plural)} className="palette-group">
              <h3>{humanize(g.model.plural)}</h3>
              {g.rows.map((row) => {
                position += 1;
                const index = position;
                return (
                  <div
                    key={String(row[g.model.primaryKey])}
                    id={`search-hit-${index}`}
                    role="option"
                    aria-selected={index === active}
                    className={`palette-hit${index === active ? " active" : ""}`}
                    onMouseMove={() => index !== active && setActive(index)}
                    onClick={() => open(index)}
                  >
                    {displayName(g.model, row)}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
