// Enum types: created when missing, extended with ADD VALUE in declared position. Values are
// never removed or reordered automatically (rows may hold them); such differences are warnings.
import type { PlanContext } from "./planTypes.ts";
import { addEnumValue, createEnum, dropType } from "./ddl.ts";

export function planEnums({ desired, catalog, options, out, warnings }: PlanContext): void {
  const existing = new Map(catalog.enums.map((e) => [e.name, e.values]));
  for (const en of desired.enums) {
    const have = existing.get(en.name);
    if (!have) {
      out.enums.push(createEnum(en.name, en.values));
      continue;
    }
    const present = new Set(have);
    en.values.forEach((value, i) => {
      if (present.has(value)) return;
      // Anchor on a neighbour so the type's sort order follows the declaration.
      // Values are visited in order, so a predecessor is always present by now; the first value
      // anchors on the first declared value the type already has.
      const next = en.values.find((v) => have.includes(v));
      const position = i > 0 ? { after: en.values[i - 1] } : next !== undefined ? { before: next } : undefined;
      out.enums.push(addEnumValue(en.name, value, position));
      present.add(value);
    });
    const removed = have.filter((v) => !en.values.includes(v));
    if (removed.length > 0) {
      warnings.push(`enum ${en.name}: value(s) ${removed.join(", ")} are no longer declared but stay in the database type; remove them by hand once no row uses them`);
    }
    const kept = have.filter((v) => en.values.includes(v));
    const declaredOrder = en.values.filter((v) => have.includes(v));
    if (kept.join("\u0000") !== declaredOrder.join("\u0000")) {
      warnings.push(`enum ${en.name}: the database orders values ${kept.join(", ")}; the schema orders them ${declaredOrder.join(", ")} (order is not changed automatically)`);
    }
  }
  const declared = new Set(desired.enums.map((e) => e.name));
  for (const en of catalog.enums) {
    if (declared.has(en.name)) continue;
    if (options.allowDrop) out.dropTypes.push(dropType(en.name));
    else warnings.push(`enum type ${en.name} is not in the schema; it is kept (plan with allowDrop to drop it)`);
  }
}
