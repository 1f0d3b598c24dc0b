// How a field's value reads in lists and detail pages: money with its currency, dates in the
// reader's locale, enums as badges, foreign keys as links to the related record.
import { displayText, type FieldDescription, type ModelDescription } from "../api/meta.ts";
import { humanize } from "../i18n/strings.ts";
import { linkProps, paths } from "../router.ts";

type Row = Record<string, unknown>;

/** `compact`: "€3.5M" for totals where the last euro is noise. */
export function formatMoney(value: unknown, currency?: unknown, compact = false): string {
  const amount = Number(value);
  if (value === null || value === undefined || value === "" || Number.isNaN(amount)) return "";
  if (typeof currency === "string" && /^[A-Z]{3}$/.test(currency)) {
    return amount.toLocaleString(undefined, { style: "currency", currency, maximumFractionDigits: compact ? 1 : 0, ...(compact ? { notation: "compact" as const } : {}) });
  }
  return amount.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

export function formatPlain(field: FieldDescription, value: unknown, row?: Row): string {
  if (value === null || value === undefined) return "";
  switch (field.type) {
    case "money":
      return formatMoney(value, row?.currency);
    case "decimal":
    case "float":
    case "int":
      return Number(value).toLocaleString();
    case "date":
      return new Date(`${String(value)}T00:00:00`).toLocaleDateString();
    case "datetime":
      return new Date(String(value)).toLocaleString();
    case "boolean":
      return value ? "Yes" : "No";
    case "enum":
      return humanize(String(value));
    case "array":
      return (value as unknown[]).join(", ");
    case "json":
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

export function FieldValue({ field, row, models }: { field: FieldDescription; row: Row; models: ModelDescription[] }) {
  const value = row[field.name];
  if (value === null || value === undefined || value === "") return <span className="muted">—</span>;
  if (field.references) {
    const related = row[field.references.relation] as Row | null | undefined;
    const target = models.find((m) => m.name === field.references!.model);
    if (related && target) {
      return (
        <a {...linkProps(paths.detail(target.name, String(related[target.primaryKey])))}>{displayName(target, related)}</a>
      );
    }
    return <code className="muted">{String(value).slice(0, 8)}</code>;
  }
  if (field.type === "enum") return <span className={`badge enum-${String(value)}`}>{humanize(String(value))}</span>;
  if (field.type === "array") {
    return (
      <span className="chips">
        {(value as unknown[]).map((v) => (
          <span key={String(v)} className="chip">{String(v)}</span>
        ))}
      </span>
    );
  }
  if (field.type === "boolean") return <span>{value ? "✓" : "✗"}</span>;
  if (field.type === "json") return <code className="json">{JSON.stringify(value)}</code>;
  if (field.type === "text") return <span className="prewrap">{String(value)}</span>;
  if (field.name === "email" && typeof value === "string") return <a href={`mailto:${value}`}>{value}</a>;
  if (field.name === "website" && typeof value === "string") return <a href={value} target="_blank" rel="noreferrer noopener">{value}</a>;
  return <>{formatPlain(field, value, row)}</>;
}

/** The record's name for headings and links. */
export function displayName(model: ModelDescription, row: Row | null | undefined): string {
  if (!row) return model.name;
  // The display fields' values joined with a space; a person named by first name gets the last name too.
  return displayText(model, row) || `${model.name} ${String(row[model.primaryKey] ?? "").slice(0, 8)}`;
}
