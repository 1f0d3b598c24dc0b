// Create and edit forms from ui.editForm. The server validates; its field errors show next to the
// field they name. An edit sends only the fields that changed, with the version it started from,
// so a concurrent change is reported (CONFLICT) instead of overwritten.
import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, gql } from "../api/client.ts";
import { createDocument, detailDocument, updateDocument } from "../api/documents.ts";
import { formFields, type ApiDescription, type FieldDescription, type ModelDescription } from "../api/meta.ts";
import { displayName } from "../components/FieldValue.tsx";
import { FormValueError, fromFormValue, sameValue, toFormValue, type FormValue } from "../components/formValues.ts";
import { RelationPicker } from "../components/RelationPicker.tsx";
import { ErrorState } from "../components/States.tsx";
import { TagInput } from "../components/TagInput.tsx";
import { toast } from "../components/Toasts.tsx";
import { humanize, strings } from "../i18n/strings.ts";
import { linkProps, navigate, paths } from "../router.ts";
import { useSession } from "../auth/session.ts";
import { useFieldLocks, usePresence } from "../realtime/hooks.ts";
import { PresenceBar } from "../realtime/PresenceBar.tsx";

type Row = Record<string, unknown>;

export function FormView({ meta, model, id }: { meta: ApiDescription; model: ModelDescription; id?: string }) {
  const client = useQueryClient();
  const fields = formFields(model);
  const existing = useQuery({
    queryKey: ["detail", model.name, id],
    queryFn: () => gql<{ record: Row | null }>(detailDocument(model, meta.models, 0), { id }),
    enabled: id !== undefined,
  });
  const [values, setValues] = useState<Record<string, FormValue> | null>(id ? null : () => initialValues(fields, null));
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const record = existing.data?.record ?? null;
  const session = useSession()!;
  const channel = id ? `record:${model.name}:${id}` : null;
  const presence = usePresence(channel, { viewing: true });
  const locks = useFieldLocks(channel, presence.locks, presence.me, (holder, field) => {
    toast(strings.realtime.editing(holder || strings.realtime.someone, humanize(field)), "info");
    (document.activeElement as HTMLElement | null)?.blur();
  });

  useEffect(() => {
    if (record && values === null) {
      setValues(initialValues(fields, record));
      const known: Record<string, string> = {};
      for (const f of fields) {
        if (!f.references) continue;
        const target = meta.models.find((m) => m.name === f.references!.model);
        const related = record[f.references.relation] as Row | null | undefined;
        if (target && related) known[f.name] = displayName(target, related);
      }
      setLabels(known);
    }
  }, [record, values, fields, meta.models]);

  if (id && existing.error) return <ErrorState error={existing.error} />;
  if (id && existing.data && !record) return <ErrorState message={strings.record.notFound} />;
  if (!values) return <p className="muted">{strings.errors.loading}</p>;
  const original = record ? initialValues(fields, record) : null;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const data: Row = {};
    const local: Record<string, string> = {};
    for (const field of fields) {
      const value = values[field.name];
      if (original && sameValue(value, original[field.name])) continue;
      try {
        const converted = fromFormValue(field, value);
        // The API would refuse the whole document over a missing required value; say it here, per field.
        if (converted === null && field.required && (original || field.default === undefined)) {
          local[field.name] = strings.form.requiredMessage;
          continue;
        }
        if (!original && (converted === null || (Array.isArray(converted) && converted.length === 0))) continue;
        const broken = converted === null ? null : ruleError(field, converted);
        if (broken) {
          local[field.name] = broken;
          continue;
        }
        data[field.name] = converted;
      } catch (e) {
        if (e instanceof FormValueError) local[field.name] = e.message;
        else throw e;
      }
    }
    setErrors(local);
    if (Object.keys(local).length > 0) {
      setFormError(strings.form.fix);
      return;
    }
    if (original && Object.keys(data).length === 0) {
      navigate(paths.detail(model.name, id!));
      return;
    }
    setSaving(true);
    try {
      const answer = original
        ? await gql<{ record: Row }>(updateDocument(model), { id, data, version: record?.version })
        : await gql<{ record: Row }>(createDocument(model), { data });
      const name = displayName(model, answer.record);
      toast(original ? strings.form.saved(name) : strings.form.created(name), "success");
      await client.invalidateQueries({ queryKey: ["list", model.name] });
      await client.invalidateQueries({ queryKey: ["detail", model.name] });
      navigate(paths.detail(model.name, String(answer.record[model.primaryKey])));
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) {
        const byField: Record<string, string> = {};
        for (const fe of e.fieldErrors) {
          const name = fe.path.find((p) => typeof p === "string" && p !== "data" && fields.some((f) => f.name === p));
          if (typeof name === "string") byField[name] = fe.message;
        }
        setErrors(byField);
        setFormError(Object.keys(byField).length > 0 ? strings.form.fix : e.message);
      } else if (e instanceof ApiError && e.code === "CONFLICT") setFormError(strings.form.conflict);
      else setFormError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const title = original ? strings.form.edit(displayName(model, record)) : strings.form.create(humanize(model.name));
  return (
    <section className="form-view">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          <PresenceBar members={presence.members} mySub={session.user.id} />
        </div>
      </header>
      <form onSubmit={(e) => void submit(e)} noValidate aria-describedby={formError ? "form-error" : undefined}>
        {formError && (
          <p id="form-error" className="error-text" role="alert">
            {formError}
          </p>
        )}
        <div className="form-grid">
          {fields.map((field) => (
            <FieldControl
              key={field.name}
              field={field}
              meta={meta}
              value={values[field.name]}
              label={labels[field.name] ?? ""}
              error={errors[field.name]}
              lockedBy={locks.heldByOther(field.name)}
              onFocus={() => channel && locks.focus(field.name)}
              onBlur={() => locks.blur(field.name)}
              onChange={(v, label) => {
                setValues((prev) => ({ ...prev!, [field.name]: v }));
                if (label !== undefined) setLabels((prev) => ({ ...prev, [field.name]: label }));
              }}
            />
          ))}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? strings.form.saving : strings.form.save}
          </button>
          <a className="button ghost" {...linkProps(id ? paths.detail(model.name, id) : paths.list(model.name))}>
            {strings.form.cancel}
          </a>
        </div>
      </form>
    </section>
  );
}

/**
 * The schema's rules checked before sending, so a form shows every problem in one round (a missing
 * required value would otherwise fail the whole GraphQL document before the engine saw the rest).
 * The engine checks them all again; its word is final.
 */
function ruleError(field: FieldDescription, value: unknown): string | null {
  for (const rule of field.rules) {
    if (rule.kind === "max" && typeof value === "string" && value.length > rule.value) return `at most ${rule.value} characters`;
    if (rule.kind === "max" && (typeof value === "number" || field.type === "money" || field.type === "decimal") && Number(value) > rule.value) return `at most ${rule.value}`;
    if (rule.kind === "min" && typeof value === "string" && field.type !== "money" && field.type !== "decimal" && value.length < rule.value) return `at least ${rule.value} characters`;
    if (rule.kind === "min" && (typeof value === "number" || field.type === "money" || field.type === "decimal") && Number(value) < rule.value) return `at least ${rule.value}`;
    if (rule.kind === "email" && typeof value === "string" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return strings.form.badEmail;
    if (rule.kind === "url" && typeof value === "string" && !/^https?:\/\/\S+$/i.test(value)) return strings.form.badUrl;
    if (rule.kind === "regex" && typeof value === "string" && !new RegExp(rule.pattern).test(value)) return strings.form.badFormat(rule.pattern);
  }
  return null;
}

function initialValues(fields: FieldDescription[], record: Row | null): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  for (const f of fields) out[f.name] = toFormValue(f, record ? record[f.name] : (f.default ?? null));
  return out;
}

function FieldControl({
  field,
  meta,
  value,
  label,
  error,
  lockedBy,
  onFocus,
  onBlur,
  onChange,
}: {
  field: FieldDescription;
  meta: ApiDescription;
  value: FormValue;
  label: string;
  error: string | undefined;
  /** Someone else holds this field's soft lock: read-only with their name. */
  lockedBy: string | null;
  onFocus: () => void;
  onBlur: () => void;
  onChange: (value: FormValue, label?: string) => void;
}) {
  const id = `field-${field.name}`;
  const errorId = `${id}-error`;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-describedby": error ? errorId : undefined, "aria-required": field.required || undefined };
  const target = field.references ? meta.models.find((m) => m.name === field.references!.model) : undefined;
  let control: React.ReactNode;
  if (target && target.can.read) {
    control = <RelationPicker id={id} target={target} value={String(value)} label={label} invalid={Boolean(error)} onChange={(v, l) => onChange(v, l)} />;
  } else if (field.type === "boolean") {
    control = <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  } else if (field.type === "enum") {
    control = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {(!field.required || value === "") && <option value="">{strings.form.none}</option>}
        {(field.values ?? []).map((v) => (
          <option key={v} value={v}>{humanize(v)}</option>
        ))}
      </select>
    );
  } else if (field.type === "array") {
    control = <TagInput id={id} values={value as string[]} options={field.items?.values} onChange={(v) => onChange(v)} />;
  } else if (field.type === "text" || field.type === "json") {
    control = <textarea {...common} rows={field.type === "json" ? 5 : 4} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  } else {
    const type =
      field.type === "date" ? "date" : field.type === "datetime" ? "datetime-local" : field.type === "int" || field.type === "float" ? "number" : field.rules.some((r) => r.kind === "email") ? "email" : field.rules.some((r) => r.kind === "url") ? "url" : "text";
    control = <input {...common} type={type} inputMode={field.type === "money" || field.type === "decimal" ? "decimal" : undefined} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className={`form-field${error ? " has-error" : ""}${lockedBy !== null ? " locked" : ""}${field.type === "text" || field.type === "json" ? " wide" : ""}`} data-field={field.name}>
      <label htmlFor={id}>
        {humanize(field.name)}
        {field.required && field.type !== "array" && field.type !== "boolean" && <span className="required" aria-label={strings.form.required}> *</span>}
      </label>
      <fieldset className="bare" disabled={lockedBy !== null} onFocus={onFocus} onBlur={onBlur}>
        {control}
      </fieldset>
      {lockedBy !== null && (
        <p className="lock-note" role="status" data-testid={`lock-${field.name}`}>
          {strings.realtime.lockedBy(lockedBy || strings.realtime.someone)}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
