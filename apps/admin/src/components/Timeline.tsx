// Activities linked to the record and its audit events, merged newest first; notes, calls and
// meetings are added inline through the same createActivity mutation the API offers everyone.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { UUID_PATTERN } from "@tessera/schema/uuid";
import { ApiError, gql } from "../api/client.ts";
import { getSession } from "../auth/session.ts";
import type { ApiDescription, ModelDescription } from "../api/meta.ts";
import { humanize, strings } from "../i18n/strings.ts";
import { useHistory } from "./AuditPanel.tsx";
import { ErrorState } from "./States.tsx";
import { displayName } from "./FieldValue.tsx";
import { toast } from "./Toasts.tsx";
import { useActorNames, useUsers } from "./useActorNames.ts";
import { useLiveQueries } from "../realtime/hooks.ts";
import { realtime } from "../realtime/live.ts";

type Row = Record<string, unknown>;
const KINDS = ["note", "call", "meeting"] as const;

/** The signed-in user owns what they log: sales may only write activities assigned to themselves. */
function authorOf(activity: ModelDescription): { assignedToId?: string } {
  const sub = getSession()?.user.id;
  const assignable = activity.fields.some((f) => f.name === "assignedToId" && f.writable);
  return assignable && sub && UUID_PATTERN.test(sub) ? { assignedToId: sub } : {};
}

interface Entry {
  key: string;
  at: string;
  kind: string;
  title: string;
  body?: string;
  actor?: string | null;
}

/**
 * `@Ana` or `@Ana Álvarez` in a note: each mentioned user gets a message on their `user:` channel.
 * Transient, like every realtime signal: the note itself is the record.
 */
function notifyMentions(text: string, users: { id: string; name: string }[], about: { model: string; id: string; title: string }): void {
  const rt = realtime();
  if (!rt) return;
  const fold = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const folded = fold(text);
  const mentioned = (handle: string) => {
    const at = folded.indexOf(`@${handle}`);
    return at >= 0 && !/\p{L}/u.test(folded.charAt(at + handle.length + 1));
  };
  for (const user of users) {
    const name = fold(user.name);
    if (mentioned(name) || mentioned(name.split(" ")[0])) void rt.publish(`user:${user.id}`, "mention", about).catch(() => undefined);
  }
}

export function Timeline({ meta, model, id, record, onChange }: { meta: ApiDescription; model: ModelDescription; id: string; record: Row; onChange: () => Promise<void> }) {
  const displayTitle = displayName(model, record);
  const client = useQueryClient();
  const activity = meta.models.find((m) => m.name === "Activity")!;
  const link = model.relations.find((r) => r.kind === "hasMany" && r.model === "Activity")!;
  const foreignKey = link.foreignKey!;
  const activities = useQuery({
    queryKey: ["timeline", model.name, id],
    queryFn: () =>
      gql<{ list: Row[] }>(
        `query Timeline($where: ActivityWhereInput) { list: ${activity.api.plural}(where: $where, orderBy: [createdAt_DESC], first: 50) { id type title content occurredAt dueAt createdAt assignedToId } }`,
        { where: { [foreignKey]: id } },
      ),
  });
  const history = useHistory(model, id);
  // Activities added or changed anywhere show up here as they commit.
  useLiveQueries("board:Activity", [["timeline", model.name, id]], (change) => change.record?.[foreignKey] === id);
  const users = useUsers(meta);
  const [kind, setKind] = useState<(typeof KINDS)[number]>("note");
  const [title, setTitle] = useState("");
  const [content, setContent] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const entries: Entry[] = [
    ...(activities.data?.list ?? []).map((a) => ({
      key: `a-${String(a.id)}`,
      // Planned activities sit at their due time, done ones when they happened.
      at: String(a.occurredAt ?? a.dueAt ?? a.createdAt),
      kind: String(a.type),
      title: String(a.title),
      body: a.content ? String(a.content) : undefined,
      actor: a.assignedToId as string | null,
    })),
    ...(history.data?.history ?? []).map((e) => ({
      key: `e-${e.seq}`,
      at: e.at,
      kind: "change",
      title: e.type === "CREATED" ? strings.timeline.created : strings.timeline.changed(Object.keys(e.changes).filter((f) => !["version", "updatedAt"].includes(f)).map(humanize).join(", ")),
      actor: e.actor,
    })),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const names = useActorNames(meta, entries.map((e) => e.actor));

  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql(`mutation AddActivity($data: ActivityCreateInput!) { ${activity.api.create}(data: $data) { id } }`, {
        data: { type: kind, title: title.trim(), content: content.trim() || null, [foreignKey]: id, occurredAt: new Date().toISOString(), status: "done", ...authorOf(activity) },
      });
      notifyMentions(`${title} ${content}`, users ?? [], { model: model.name, id, title: displayTitle });
      setTitle("");
      setContent("");
      toast(strings.timeline.added, "success");
      await client.invalidateQueries({ queryKey: ["timeline", model.name, id] });
      await onChange();
    } catch (e) {
      setError(e instanceof ApiError && e.fieldErrors.length > 0 ? e.fieldErrors.map((f) => `${humanize(String(f.path[f.path.length - 1]))}: ${f.message}`).join("; ") : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">{strings.record.timeline}</h2>
      {activity.can.create && (
        <form className="timeline-add" onSubmit={(e) => void add(e)} aria-label={strings.timeline.add}>
          <div className="segmented" role="radiogroup" aria-label="Type">
            {KINDS.map((k) => (
              <label key={k} className={kind === k ? "selected" : undefined}>
                <input type="radio" name="activity-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {strings.timeline[k]}
              </label>
            ))}
          </div>
          <label htmlFor="timeline-title-input" className="sr-only">{strings.timeline.titleLabel}</label>
          <input id="timeline-title-input" placeholder={strings.timeline.titleLabel} value={title} onChange={(e) => setTitle(e.target.value)} />
          <label htmlFor="timeline-content-input" className="sr-only">{strings.timeline.contentLabel}</label>
          <textarea id="timeline-content-input" placeholder={strings.timeline.contentLabel} rows={2} value={content} onChange={(e) => setContent(e.target.value)} />
          {error && <p className="error-text" role="alert">{error}</p>}
          <button type="submit" className="primary" disabled={busy || title.trim() === ""}>{strings.timeline.addButton}</button>
        </form>
      )}
      {(activities.error || history.error) && <ErrorState error={activities.error ?? history.error} />}
      {entries.length === 0 && activities.data && <p className="muted">{strings.timeline.empty}</p>}
      <ol className="timeline-list">
        {entries.map((e) => (
          <li key={e.key} className={`timeline-entry kind-${e.kind}`} data-testid="timeline-entry">
            <span className="timeline-kind">{humanize(e.kind)}</span>
            <div>
              <strong>{e.title}</strong>
              {e.body && <p className="prewrap">{e.body}</p>}
              <p className="muted">
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                {e.actor && names[e.actor] ? ` · ${names[e.actor]}` : ""}
              </p>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
