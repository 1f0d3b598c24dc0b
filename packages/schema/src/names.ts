// Naming conventions shared by migrations, the API and codegen.

const IRREGULAR_PLURALS: Record<string, string> = {
  person: "people",
  child: "children",
  man: "men",
  woman: "women",
  status: "statuses",
  datum: "data",
};

/** English plural of a camelCase or PascalCase word, keeping the leading case. */
export function pluralize(word: string): string {
  const match = /^(.*?)([A-Z]?[a-z0-9]+)$/.exec(word);
  const head = match ? match[1] : "";
  const last = match ? match[2] : word;
  const lower = last.toLowerCase();
  const keepCase = (plural: string): string =>
    last[0] === last[0].toUpperCase() ? plural[0].toUpperCase() + plural.slice(1) : plural;
  if (IRREGULAR_PLURALS[lower]) return head + keepCase(IRREGULAR_PLURALS[lower]);
  if (/[^aeiou]y$/.test(lower)) return head + last.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(lower)) return head + last + "es";
  return head + last + "s";
}

/** `annualRevenue` → `annual_revenue`, `HTTPStatus` → `http_status`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `Company` → `company`. */
export function lowerFirst(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
