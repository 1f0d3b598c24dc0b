// Suggests a field for each CSV column from its header, ignoring case, accents, spaces and
// punctuation ("E-mail" → email, "First name" → firstName, "Company" → the company relation, looked
// up by name). A suggestion is only a starting point: the client confirms or edits the mapping.
import type { ModelIR, SchemaIR } from "@tessera/schema";
import { importTargets, type ImportMapping } from "./importMapping.ts";

/** Header words that usually mean a field of another name (normalised on both sides). */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  mail: ["email"],
  emailaddress: ["email"],
  telephone: ["phone"],
  tel: ["phone"],
  mobile: ["phone"],
  mobilephone: ["phone"],
  cell: ["phone"],
  givenname: ["firstname"],
  forename: ["firstname"],
  first: ["firstname"],
  surname: ["lastname"],
  familyname: ["lastname"],
  last: ["lastname"],
  title: ["jobtitle", "title"],
  position: ["jobtitle"],
  organization: ["company"],
  organisation: ["company"],
  account: ["company"],
  employer: ["company"],
  url: ["website"],
  web: ["website"],
  site: ["website"],
  stage: ["lifecyclestage", "stage"],
  labels: ["tags"],
};

/** Trailing words a header may add to a field's name ("Phone number", "Company name"). */
const SUFFIXES = ["address", "name", "number"];

/** Lower case, accents removed, only letters and digits: "E-mail Adresse" → "emailadresse". */
export function normaliseName(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]/g, "");
}

export function suggestMapping(schema: SchemaIR, model: ModelIR, headers: readonly string[]): ImportMapping {
  const byNormalised = new Map<string, string>();
  for (const name of importTargets(schema, model).keys()) byNormalised.set(normaliseName(name), name);
  const taken = new Set<string>();
  const mapping: ImportMapping = {};
  for (const header of headers) {
    if (header === "" || header in mapping) continue;
    const key = normaliseName(header);
    const candidates = [key, ...(SYNONYMS[key] ?? [])];
    for (const suffix of SUFFIXES) if (key.endsWith(suffix) && key.length > suffix.length) candidates.push(key.slice(0, -suffix.length));
    const found = candidates.map((c) => byNormalised.get(c)).find((name) => name !== undefined && !taken.has(name));
    mapping[header] = found ?? null;
    if (found) taken.add(found);
  }
  return mapping;
}
