// Asks for the values a stage needs before a record moves into it: the fields whose `required_if`
// rule names the stage field and the target value (a Deal dropped on Lost: close date and reason).
// The server decides; the dialog shows its refusal in words and stays open so the person can fix it.
import { useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import type { FieldDescription, ModelDescription } from "../api/meta.ts";
import { humanize, strings } from "../i18n/strings.ts";

/** Writable fields of `model` that a `required_if` rule requires when `stageField` is `stage`. */
export function fieldsNeededFor(model: ModelDescription, stageField: string, stage: string): FieldDescription[] {
  return model.fields.filter((f) => f.writable && f.rules.some((r) => r.kind === "required_if" && r.field === stageField && r.values.includes(stage)));
}

/** Today in the person's own time zone, as a date input wants it (YYYY-MM-DD). */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

interface Props {
  title: string;
  stageName: string;
  fields: FieldDescription[];
  /** Saves the stage with these values; a rejection is shown in the dialog. */
  onSave: (values: Record<string, string>) => Promise<void>;
  onCancel: () => void;
}

export function StageFieldsDialog({ title, stageName, fields, onSave, onCancel }: Props) {
  const headingId = useId();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.name, f.type === "date" ? today() : ""])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLElement | null>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setMessage(null);
    try {
      // A blank field is left out rather than cleared: a value already stored still counts.
      await onSave(Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== "")));
    } catch (e) {
      const byField: Record<string, string> = {};
      const other: string[] = [];
      for (const fe of e instanceof ApiError ? e.fieldErrors : []) {
        const name = String(fe.path.at(-1));
        if (fields.some((f) => f.name === name)) {
          byField[name] = fe.rule === "required" || fe.rule === "required_if" ? strings.board.needed(humanize(name), stageName) : fe.message;
        } else other.push(fe.message);
      }
      setErrors(byField);
      if (Object.keys(byField).length === 0 || other.length > 0) setMessage(other.length > 0 ? other.join(" ") : e instanceof Error ? e.message : String(e));
      setSaving(false);
    }
  };

  return (
    <div className="overlay" role="presentation" onMouseDown={onCancel}>
      <form
        className="card stage-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={headingId}
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === "Escape" && onCancel()}
        onSubmit={(e) => void submit(e)}
        noValidate
      >
        <h2 id={headingId}>{strings.board.closeTitle(title, stageName)}</h2>
        <p className="muted">{strings.board.closeHint(stageName)}</p>
        {fields.map((field, i) => {
          const id = `${headingId}-${field.name}`;
          const common = {
            id,
            value: values[field.name] ?? "",
            "aria-invalid": errors[field.name] ? true : undefined,
            "aria-describedby": errors[field.name] ? `${id}-error` : undefined,
          };
          const change = (v: string) => setValues((prev) => ({ ...prev, [field.name]: v }));
          return (
            <div className="field" key={field.name}>
              <label htmlFor={id}>{humanize(field.name)}</label>
              {field.type === "text" ? (
                <textarea {...common} rows={3} ref={i === 0 ? (el) => { first.current = el; } : undefined} onChange={(e) => change(e.target.value)} />
              ) : (
                <input {...common} type={field.type === "date" ? "date" : "text"} ref={i === 0 ? (el) => { first.current = el; } : undefined} onChange={(e) => change(e.target.value)} />
              )}
              {errors[field.name] && <p className="field-error" id={`${id}-error`} role="alert">{errors[field.name]}</p>}
            </div>
          );
        })}
        {message && <p className="error-text" role="alert">{message}</p>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving}>{saving ? strings.form.saving : strings.board.closeSave(stageName)}</button>
          <button type="button" className="ghost" onClick={onCancel}>{strings.form.cancel}</button>
        </div>
      </form>
    </div>
  );
}
