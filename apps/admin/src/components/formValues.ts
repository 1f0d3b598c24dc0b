// Between API values and what form controls hold (strings, booleans, string lists).
import type { FieldDescription } from "../api/meta.ts";

export type FormValue = string | boolean | string[];

export function toFormValue(field: FieldDescription, value: unknown): FormValue {
  if (field.type === "boolean") return value === true;
  if (field.type === "array") return Array.isArray(value) ? value.map(String) : [];
  if (value === null || value === undefined) return "";
  if (field.type === "datetime") {
    // datetime-local wants local "YYYY-MM-DDTHH:mm".
    const d = new Date(String(value));
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  if (field.type === "json") return JSON.stringify(value, null, 2);
  // "96431.0000" reads as 96431; keep the decimals that mean something.
  if (field.type === "money" || field.type === "decimal") return String(value).replace(/(\.\d*?[1-9])0+$/, "$1").replace(/\.0+$/, "");
  return String(value);
}

export class FormValueError extends Error {}

/** The API value of a control's content; "" means null. Throws FormValueError with a person's message. */
export function fromFormValue(field: FieldDescription, value: FormValue): unknown {
  if (field.type === "boolean") return value === true;
  if (field.type === "array") {
    const items = value as string[];
    const itemType = field.items?.type;
    if (itemType === "int" || itemType === "float") {
      return items.map((v) => {
        const n = Number(v);
        if (Number.isNaN(n)) throw new FormValueError(`"${v}" is not a number`);
        return n;
      });
    }
    return items;
  }
  const text = String(value).trim();
  if (text === "") return null;
  switch (field.type) {
    case "int": {
      const n = Number(text);
      if (!Number.isInteger(n)) throw new FormValueError("enter a whole number");
      return n;
    }
    case "float": {
      const n = Number(text.replace(",", "."));
      if (Number.isNaN(n)) throw new FormValueError("enter a number");
      return n;
    }
    case "money":
    case "decimal": {
      const normalised = text.replace(/\s/g, "").replace(",", ".");
      if (!/^-?\d+(\.\d+)?$/.test(normalised)) throw new FormValueError("enter an amount like 1200.50");
      return normalised;
    }
    case "datetime": {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new FormValueError("enter a date and time");
      return d.toISOString();
    }
    case "json":
      try {
        return JSON.parse(text);
      } catch {
        throw new FormValueError("enter valid JSON");
      }
    default:
      return text;
  }
}

export function sameValue(a: FormValue, b: FormValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
