import type { RuleIR } from "./ir.ts";

const KNOWN_RULES = ["required", "min", "max", "email", "url", "numeric", "in", "regex", "unique", "exists", "required_if"] as const;

/** Canonical order of rules in the IR, so declaration order never makes two schemas differ. */
export const RULE_ORDER: readonly string[] = KNOWN_RULES;

/**
 * Parses one rule in the `validation` syntax (`max:255`, `in:a,b`, `exists:companies,id`).
 * Returns an error message instead of throwing so the loader can report every problem at once.
 */
export function parseRule(text: string): RuleIR | { error: string } {
  const colon = text.indexOf(":");
  const name = (colon === -1 ? text : text.slice(0, colon)).trim();
  const arg = colon === -1 ? undefined : text.slice(colon + 1);
  const needsArg = (): { error: string } => ({ error: `rule '${name}' needs an argument, e.g. '${name}:…'` });
  switch (name) {
    case "required":
    case "email":
    case "url":
    case "numeric":
    case "unique":
      if (arg !== undefined) return { error: `rule '${name}' takes no argument` };
      return { kind: name };
    case "min":
    case "max": {
      if (arg === undefined) return needsArg();
      const value = Number(arg);
      if (arg.trim() === "" || !Number.isFinite(value)) return { error: `rule '${name}' needs a number, got '${arg}'` };
      return { kind: name, value };
    }
    case "in": {
      if (arg === undefined || arg === "") return needsArg();
      return { kind: "in", values: arg.split(",").map((v) => v.trim()) };
    }
    case "regex": {
      if (arg === undefined || arg === "") return needsArg();
      try {
        new RegExp(arg);
      } catch {
        return { error: `rule 'regex' has an invalid pattern '${arg}'` };
      }
      return { kind: "regex", pattern: arg };
    }
    case "exists": {
      const parts = (arg ?? "").split(",").map((p) => p.trim());
      if (parts.length !== 2 || !parts[0] || !parts[1]) return { error: `rule 'exists' needs 'exists:table,column', got '${text}'` };
      return { kind: "exists", table: parts[0], column: parts[1] };
    }
    case "required_if": {
      // Laravel's syntax: the other field, then the values that make this one required.
      const parts = (arg ?? "").split(",").map((p) => p.trim());
      if (parts.length < 2 || parts.some((p) => p === "")) {
        return { error: `rule 'required_if' needs 'required_if:field,value' (or several values: 'required_if:field,a,b'), got '${text}'` };
      }
      return { kind: "required_if", field: parts[0], values: parts.slice(1) };
    }
    default:
      return { error: `unknown rule '${name}' (known: ${KNOWN_RULES.join(", ")})` };
  }
}

/** Splits `"required|max:255"` or a list into single rule strings. `regex:` may contain `|`, so it must come last. */
export function splitRules(spec: string | readonly string[]): string[] {
  if (typeof spec !== "string") return [...spec];
  const out: string[] = [];
  let rest = spec;
  while (rest.length > 0) {
    if (rest.startsWith("regex:")) {
      out.push(rest);
      break;
    }
    const bar = rest.indexOf("|");
    out.push(bar === -1 ? rest : rest.slice(0, bar));
    rest = bar === -1 ? "" : rest.slice(bar + 1);
  }
  return out.map((r) => r.trim()).filter((r) => r.length > 0);
}
