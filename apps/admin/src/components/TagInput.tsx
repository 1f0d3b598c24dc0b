// An array-of-scalars input: chips, Enter or comma adds, Backspace on an empty input removes the last.
import { useState } from "react";
import { strings } from "../i18n/strings.ts";

export function TagInput({ id, values, onChange, options }: { id: string; values: string[]; onChange: (values: string[]) => void; options?: string[] }) {
  const [text, setText] = useState("");
  const add = (raw: string) => {
    const value = raw.trim();
    if (value && !values.includes(value)) onChange([...values, value]);
    setText("");
  };
  return (
    <div className="tag-input">
      {values.map((v) => (
        <span key={v} className="chip">
          {v}
          <button type="button" className="icon" aria-label={strings.form.removeTag(v)} onClick={() => onChange(values.filter((x) => x !== v))}>
            ×
          </button>
        </span>
      ))}
      {options ? (
        <select id={id} value="" onChange={(e) => add(e.target.value)}>
          <option value="">{strings.form.addTag}</option>
          {options.filter((o) => !values.includes(o)).map((o) => (
            <option key={o} value={o}>{o}</option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          value={text}
          placeholder={strings.form.tagPlaceholder}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => text && add(text)}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === ",") {
              e.preventDefault();
              add(text);
            } else if (e.key === "Backspace" && text === "" && values.length > 0) onChange(values.slice(0, -1));
          }}
        />
      )}
    </div>
  );
}
