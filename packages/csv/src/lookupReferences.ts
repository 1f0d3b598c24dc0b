// Relation columns name records by their display field ("Acme" in a `company` column); this finds
// their ids through the engine with the importer's context, so only records the importer may read
// can be linked. Answers are kept for the whole import (each name is looked up once).
import type { Engine, RequestContext } from "@tessera/engine";
import type { LookupTarget } from "./importMapping.ts";

export type LookupAnswer = { id: string } | { error: string };

/** Names per query: one `_in` parameter, well under any statement limit. */
const NAMES_PER_QUERY = 500;

export class ReferenceLookup {
  private readonly answers = new Map<string, Map<string, LookupAnswer>>();

  constructor(
    private readonly engine: Engine,
    private readonly ctx: RequestContext,
  ) {}

  /** Looks up the names not asked for before (exact, case-sensitive match on the display field). */
  async resolve(target: LookupTarget, names: Iterable<string>): Promise<void> {
    const known = this.known(target);
    const missing = [...new Set(names)].filter((name) => !known.has(name));
    const display = target.displayField.name;
    const pk = target.target.primaryKey;
    for (let start = 0; start < missing.length; start += NAMES_PER_QUERY) {
      const chunk = missing.slice(start, start + NAMES_PER_QUERY);
      const ids = new Map<string, string[]>();
      const pages = this.engine.model(target.target.name).findEach({ where: { [`${display}_in`]: chunk }, fields: [pk, display] }, this.ctx);
      for await (const page of pages) {
        for (const record of page) {
          const name = String(record[display]);
          ids.set(name, [...(ids.get(name) ?? []), String(record[pk])]);
        }
      }
      for (const name of chunk) {
        const found = ids.get(name) ?? [];
        known.set(
          name,
          found.length === 1
            ? { id: found[0] }
            : found.length === 0
              ? { error: `${target.name}: no ${target.target.name} with ${display} "${name}"` }
              : { error: `${target.name}: ${found.length} ${target.target.plural} have ${display} "${name}"; give ${target.field.name} instead` },
        );
      }
    }
  }

  /** The answer for a name passed to `resolve` before. */
  answer(target: LookupTarget, name: string): LookupAnswer {
    return this.known(target).get(name) ?? { error: `${target.name}: "${name}" was not looked up` };
  }

  private known(target: LookupTarget): Map<string, LookupAnswer> {
    let known = this.answers.get(target.target.name);
    if (!known) {
      known = new Map();
      this.answers.set(target.target.name, known);
    }
    return known;
  }
}
