// Avatars of the other people on a record, with what they are doing there ("editing Value").
import type { PresenceMember } from "@tessera/realtime/client";
import { humanize, strings } from "../i18n/strings.ts";

/** What a member is doing: the field one of their connections edits, else viewing. */
export function activityOf(member: PresenceMember): string | null {
  for (const meta of member.metas) {
    const editing = (meta.state as { editing?: unknown }).editing;
    if (typeof editing === "string") return editing;
  }
  return null;
}

export function PresenceBar({ members, mySub }: { members: PresenceMember[]; mySub: string }) {
  const others = members.filter((m) => m.sub !== mySub);
  if (others.length === 0) return null;
  return (
    <ul className="presence" aria-label={strings.realtime.here} data-testid="presence">
      {others.map((m) => {
        const name = m.name ?? strings.realtime.someone;
        const editing = activityOf(m);
        const label = editing ? strings.realtime.editing(name, humanize(editing)) : strings.realtime.viewing(name);
        return (
          <li key={m.sub} title={label}>
            <span className={`avatar${editing ? " editing" : ""}`} aria-hidden="true">{name.charAt(0)}</span>
            <span className="presence-label">{label}</span>
          </li>
        );
      })}
    </ul>
  );
}
