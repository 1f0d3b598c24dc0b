// Picks a related record by searching its display (or searchable) fields: a combobox with a listbox,
// best matches first.
import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { gql } from "../api/client.ts";
import { pickDocument, pickVariables } from "../api/documents.ts";
import type { ModelDescription } from "../api/meta.ts";
import { strings } from "../i18n/strings.ts";
import { displayName } from "./FieldValue.tsx";

type Row = Record<string, unknown>;

export function RelationPicker({
  id,
  target,
  value,
  label,
  onChange,
  invalid,
}: {
  id: string;
  target: ModelDescription;
  value: string;
  /** The display name of the current value, when known. */
  label: string;
  onChange: (id: string, label: string) => void;
  invalid?: boolean;
}) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const results = useQuery({
    queryKey: ["pick", target.name, text],
    queryFn: () => gql<{ list: Row[] }>(pickDocument(target), pickVariables(target, text)),
    enabled: open,
  });
  const options = results.data?.list ?? [];
  const choose = (row: Row) => {
    onChange(String(row[target.primaryKey]), displayName(target, row));
    setText("");
    setOpen(false);
  };
  return (
    <div className="picker">
      {value && !open ? (
        <div className="picked">
          <span data-testid={`${id}-picked`}>{label || value.slice(0, 8)}</span>
          <button type="button" className="ghost" onClick={() => setOpen(true)} aria-label={`${strings.form.pickPlaceholder(target.name)}`}>
            ✎
          </button>
          <button type="button" className="ghost" onClick={() => onChange("", "")}>
            {strings.form.clear}
          </button>
        </div>
      ) : (
        <input
          id={id}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={invalid || undefined}
          autoComplete="off"
          placeholder={strings.form.pickPlaceholder(target.name)}
          value={text}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, options.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === "Enter" && options[active]) {
              e.preventDefault();
              choose(options[active]);
            } else if (e.key === "Escape") setOpen(false);
          }}
        />
      )}
      {open && (
        <ul className="picker-options" role="listbox" id={listId}>
          {options.map((row, i) => (
            <li
              key={String(row[target.primaryKey])}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(row);
              }}
            >
              {displayName(target, row)}
            </li>
          ))}
          {results.data && options.length === 0 && <li className="muted">{strings.search.empty}</li>}
        </ul>
      )}
    </div>
  );
}
