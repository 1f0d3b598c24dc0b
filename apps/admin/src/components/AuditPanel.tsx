// Who changed which field from what to what, when, and on whose behalf: the record's event history.
import { useQuery } from "@tanstack/react-query";
import { gql } from "../api/client.ts";
import { historyDocument } from "../api/documents.ts";
import type { ApiDescription, ModelDescription } from "../api/meta.ts";
import { humanize, strings } from "../i18n/strings.ts";
import { formatPlain } from "./FieldValue.tsx";
import { ErrorState } from "./States.tsx";
import { useActorNames } from "./useActorNames.ts";

export interface HistoryEvent {
  seq: number;
  type: "CREATED" | "UPDATED" | "DELETED" | "RESTORED" | "DESTROYED";
  version: number | null;
  changes: Record<string, { from: unknown; to: unknown }>;
  actor: string | null;
  impersonator: string | null;
  at: string;
}

const HIDDEN = new Set(["version", "updatedAt", "createdAt", "deletedAt", "id"]);

export function useHistory(model: ModelDescription, id: string) {
  return useQuery({ queryKey: ["history", model.name, id], queryFn: () => gql<{ history: HistoryEvent[] }>(historyDocument(model), { id }) });
}

export function AuditPanel({ meta, model, id }: { meta: ApiDescription; model: ModelDescription; id: string }) {
  const history = useHistory(model, id);
  const events = [...(history.data?.history ?? [])].reverse();
  const names = useActorNames(meta, events.flatMap((e) => [e.actor, e.impersonator]));
  const who = (sub: string | null) => (sub ? (names[sub] ?? sub) : strings.audit.system);
  const show = (field: string, value: unknown) => {
    if (value === null || value === undefined || value === "") return <em className="muted">{strings.audit.empty_value}</em>;
    const description = model.fields.find((f) => f.name === field);
    return <span className="value">{description ? formatPlain(description, value) : JSON.stringify(value)}</span>;
  };
  return (
    <section className="audit-panel" aria-labelledby="audit-title" data-testid="audit-panel">
      <h2 id="audit-title">{strings.audit.title}</h2>
      {history.error && <ErrorState error={history.error} />}
      {history.data && events.length === 0 && <p className="muted">{strings.audit.empty}</p>}
      <ol className="audit-list">
        {events.map((event) => {
          const changed = Object.entries(event.changes).filter(([field]) => !HIDDEN.has(field));
          return (
            <li key={event.seq} data-testid="audit-entry">
              <div className="audit-head">
                {/* An impersonator acted as the actor: show who really did it, on whose behalf. */}
                <strong>{who(event.impersonator ?? event.actor)}</strong>
                {event.impersonator && <span className="muted"> {strings.audit.onBehalf(who(event.actor))}</span>} {strings.audit[event.type.toLowerCase() as "created"]}
                <time dateTime={event.at} className="muted">{new Date(event.at).toLocaleString()}</time>
              </div>
              {event.type === "UPDATED" && changed.length > 0 && (
                <ul className="changes">
                  {changed.map(([field, change]) => (
                    <li key={field}>
                      <span className="field-name">{humanize(field)}</span>: {show(field, change.from)} → {show(field, change.to)}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
