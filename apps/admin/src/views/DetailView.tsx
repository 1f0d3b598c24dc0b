// One record: its fields, its related lists, its audit trail, and (for records with activities)
// a timeline. Edit and delete only show when the principal's role may use them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { gql } from "../api/client.ts";
import { deleteDocument, detailDocument, restoreDocument } from "../api/documents.ts";
import type { ApiDescription, ModelDescription } from "../api/meta.ts";
import { AuditPanel } from "../components/AuditPanel.tsx";
import { FieldValue, displayName } from "../components/FieldValue.tsx";
import { ErrorState } from "../components/States.tsx";
import { Timeline } from "../components/Timeline.tsx";
import { toast } from "../components/Toasts.tsx";
import { humanize, strings } from "../i18n/strings.ts";
import { linkProps, navigate, paths } from "../router.ts";
import { useSession } from "../auth/session.ts";
import { useLiveQueries, usePresence } from "../realtime/hooks.ts";
import { PresenceBar } from "../realtime/PresenceBar.tsx";

type Row = Record<string, unknown>;

export function DetailView({ meta, model, id }: { meta: ApiDescription; model: ModelDescription; id: string }) {
  const client = useQueryClient();
  const session = useSession()!;
  const channel = `record:${model.name}:${id}`;
  const { members } = usePresence(channel, { viewing: true });
  useLiveQueries(channel, [["detail", model.name, id], ["history", model.name, id]]);
  const detail = useQuery({ queryKey: ["detail", model.name, id], queryFn: () => gql<{ record: Row | null }>(detailDocument(model, meta.models), { id }) });
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: ["detail", model.name, id] });
    await client.invalidateQueries({ queryKey: ["history", model.name, id] });
    await client.invalidateQueries({ queryKey: ["list", model.name] });
  };
  const remove = useMutation({
    mutationFn: () => gql(deleteDocument(model), { id }),
    onSuccess: async () => {
      toast(strings.record.deleted(displayName(model, detail.data?.record)), "success");
      await client.invalidateQueries({ queryKey: ["list", model.name] });
      navigate(paths.list(model.name));
    },
    onError: (e) => toast(e.message, "error"),
  });
  const restore = useMutation({
    mutationFn: () => gql(restoreDocument(model), { id }),
    onSuccess: async () => {
      toast(strings.list.restored(displayName(model, detail.data?.record)), "success");
      await refresh();
    },
    onError: (e) => toast(e.message, "error"),
  });

  if (detail.error) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  if (!detail.data) return <p className="muted">{strings.errors.loading}</p>;
  const record = detail.data.record;
  if (!record) return <ErrorState message={strings.record.notFound} />;
  const name = displayName(model, record);
  const inTrash = Boolean(record.deletedAt);
  const hasTimeline = model.relations.some((r) => r.kind === "hasMany" && r.model === "Activity") && meta.models.some((m) => m.name === "Activity" && m.can.read);
  // The timeline already lists the activities; the other hasMany relations get a related list.
  const related = model.relations.filter((r) => r.kind !== "belongsTo" && !(hasTimeline && r.model === "Activity") && meta.models.some((m) => m.name === r.model && m.can.read));
  // System fields (id, version, timestamps) are in the header, not among the details.
  const shown = model.fields.filter((f) => !f.system);

  return (
    <section className="detail-view">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <a {...linkProps(paths.list(model.name))}>{humanize(model.plural)}</a>
          </p>
          <h1 data-testid="record-title">{name}</h1>
          <p className="muted">
            {strings.record.version(Number(record.version))}
            {typeof record.updatedAt === "string" ? ` · ${strings.record.updated(new Date(record.updatedAt).toLocaleString())}` : ""}
          </p>
          <PresenceBar members={members} mySub={session.user.id} />
        </div>
        <div className="actions">
          {inTrash ? (
            (model.can.update || model.can.delete) && (
              <button type="button" onClick={() => restore.mutate()} disabled={restore.isPending}>{strings.list.restore}</button>
            )
          ) : (
            <>
              {model.can.update && <a className="button" {...linkProps(paths.edit(model.name, id))}>{strings.record.edit}</a>}
              {model.can.delete && (
                <button
                  type="button"
                  className="danger"
                  disabled={remove.isPending}
                  onClick={() => {
                    if (window.confirm(strings.record.confirmDelete(name))) remove.mutate();
                  }}
                >
                  {strings.record.delete}
                </button>
              )}
            </>
          )}
        </div>
      </header>
      {inTrash && <p className="notice" role="status">{strings.record.inTrash}</p>}
      <div className="detail-grid">
        <div className="detail-main">
          <section aria-labelledby="fields-title" className="card">
            <h2 id="fields-title">{strings.record.fields}</h2>
            <dl className="fields">
              {shown.map((f) => (
                <div key={f.name} className="field-pair" data-field={f.name}>
                  <dt>{humanize(f.name)}</dt>
                  <dd><FieldValue field={f} row={record} models={meta.models} /></dd>
                </div>
              ))}
            </dl>
          </section>
          {hasTimeline && <Timeline meta={meta} model={model} id={id} record={record} onChange={refresh} />}
          {related.map((rel) => {
            const target = meta.models.find((m) => m.name === rel.model)!;
            const rows = (record[rel.name] as Row[] | undefined) ?? [];
            const columns = target.listView.slice(0, 3).map((c) => target.fields.find((f) => f.name === c)).filter((f) => f !== undefined);
            return (
              <section key={rel.name} className="card related" aria-labelledby={`rel-${rel.name}`}>
                <h2 id={`rel-${rel.name}`}>{humanize(rel.name)}</h2>
                {rows.length === 0 ? (
                  <p className="muted">{strings.record.noRelated}</p>
                ) : (
                  <table className="records compact">
                    <tbody>
                      {rows.map((row) => (
                        <tr key={String(row[target.primaryKey])}>
                          <td>
                            <a {...linkProps(paths.detail(target.name, String(row[target.primaryKey])))}>{displayName(target, row)}</a>
                          </td>
                          {columns.filter((c) => c.name !== target.displayField).map((c) => (
                            <td key={c.name}><FieldValue field={c} row={row} models={meta.models} /></td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            );
          })}
        </div>
        <aside className="detail-side">
          <AuditPanel meta={meta} model={model} id={id} />
        </aside>
      </div>
    </section>
  );
}
