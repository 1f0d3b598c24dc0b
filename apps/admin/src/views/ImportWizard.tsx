// CSV import: upload → map columns (suggested by the server) → preview → import with progress →
// summary and error report. The rows go through the engine's write path on the server.
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError, download, rest } from "../api/client.ts";
import type { ApiDescription, ModelDescription } from "../api/meta.ts";
import { ErrorState } from "../components/States.tsx";
import { humanize, strings } from "../i18n/strings.ts";
import { linkProps, paths } from "../router.ts";

// The shapes of packages/csv's routes (ImportPreview, ImportJobStatus).
interface RowError {
  row: number;
  field: string | null;
  message: string;
}
type RowStatus = "create" | "update" | "unchanged" | "error";
interface Preview {
  headers: string[];
  suggestedMapping: Record<string, string | null>;
  upsertBy: string | null;
  rowCount: number;
  /** What the import would do with every row of the file (null when no column is mapped). */
  classification: Record<RowStatus, number> | null;
  /** Cells in header order, what the import would do with the row, and the problems found checking it. */
  sampleRows: { row: number; cells: string[]; status: RowStatus | null; match: { id: string; name: string } | null; errors: RowError[] }[];
  /** The problems of the first rows in error, anywhere in the file. */
  errors: RowError[];
  errorsTruncated: boolean;
}
interface Job {
  id: string;
  state: "queued" | "running" | "completed" | "failed" | "cancelled";
  progress: { total: number | null; processed: number; created: number; updated: number; unchanged: number; imported: number; rejected: number };
  /** The first rejected rows; the error report has them all. */
  errors: RowError[];
  failure: { code: string; message: string } | null;
}
const FINISHED: Job["state"][] = ["completed", "failed", "cancelled"];

export function ImportWizard({ meta, model }: { meta: ApiDescription; model: ModelDescription }) {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  // Empty: create-only. Updating existing records is a choice the person makes, never preselected.
  const [upsertBy, setUpsertBy] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [step, setStep] = useState(0);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const writable = model.fields.filter((f) => f.writable);
  // A belongsTo column names the related record by its display field ("Company" → Acme → companyId).
  const lookups = model.relations.filter((r) => r.kind === "belongsTo" && meta.models.some((m) => m.name === r.model && m.can.read));
  const uniqueKeys = model.fields.filter((f) => f.unique && f.writable);

  const upload = async () => {
    if (!file) return;
    setError(null);
    try {
      const text = await file.text();
      const answer = await rest<Preview>(`/api/import/preview?model=${encodeURIComponent(model.name)}`, { method: "POST", headers: { "content-type": "text/csv" }, body: text });
      setCsv(text);
      setPreview(answer);
      const initial: Record<string, string> = {};
      for (const header of answer.headers) initial[header] = answer.suggestedMapping[header] ?? "";
      setMapping(initial);
      setStep(1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  const mappingParams = (): URLSearchParams => {
    const used = Object.fromEntries(Object.entries(mapping).filter(([, field]) => field !== ""));
    const params = new URLSearchParams({ model: model.name, mapping: JSON.stringify(used) });
    // A key whose column was unmapped since it was chosen matches nothing: back to create-only.
    if (upsertBy && Object.values(used).includes(upsertBy)) params.set("upsertBy", upsertBy);
    return params;
  };

  /** Checks the sample rows again with the mapping as chosen now. */
  const check = async () => {
    if (!csv) return;
    setError(null);
    try {
      setPreview(await rest<Preview>(`/api/import/preview?${mappingParams().toString()}`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv }));
      setStep(2);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  const start = async () => {
    if (!csv) return;
    setError(null);
    setConfirming(false);
    try {
      const answer = await rest<{ jobId: string; status: Job }>(`/api/import?${mappingParams().toString()}`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
      setJob(answer.status);
      setStep(3);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  useEffect(() => {
    if (!job || FINISHED.includes(job.state)) return;
    const timer = setTimeout(async () => {
      try {
        const next = await rest<Job>(`/api/import/${job.id}`);
        setJob(next);
        if (next.state === "completed") void client.invalidateQueries({ queryKey: ["list", model.name] });
      } catch (e) {
        setError(e instanceof ApiError ? e.message : String(e));
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [job, client, model.name]);

  if (!model.can.create) return <ErrorState message={strings.errors.forbidden} />;
  const total = job?.progress.total ?? preview?.rowCount ?? 0;
  const rowErrors = preview?.errors ?? [];
  const updates = preview?.classification?.update ?? 0;
  const keyLabel = (name: string) => humanize(name).toLowerCase();
  const mappedKeys = uniqueKeys.filter((f) => Object.values(mapping).includes(f.name));
  const cell = (row: { cells: string[] }, header: string) => row.cells[preview?.headers.indexOf(header) ?? -1] ?? "";
  const mappedFields = Object.values(mapping).filter(Boolean);

  return (
    <section className="import-wizard">
      <header className="page-header">
        <h1>{strings.importer.title(humanize(model.plural).toLowerCase())}</h1>
      </header>
      <ol className="steps" aria-label="Steps">
        {strings.importer.steps.map((label, i) => (
          <li key={label} className={i === step ? "current" : i < step ? "done" : undefined} aria-current={i === step ? "step" : undefined}>{label}</li>
        ))}
      </ol>
      {error && <p className="error-text" role="alert">{strings.importer.failed(error)}</p>}

      {step === 0 && (
        <div className="card">
          <label htmlFor="import-file">{strings.importer.file}</label>
          <input id="import-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <button type="button" className="primary" disabled={!file} onClick={() => void upload()}>{strings.importer.upload}</button>
        </div>
      )}

      {step === 1 && preview && (
        <div className="card">
          <h2>{strings.importer.mapping}</h2>
          <table className="records mapping">
            <thead><tr><th>{strings.importer.column}</th><th>{strings.importer.field}</th><th>{preview.sampleRows[0] ? "e.g." : ""}</th></tr></thead>
            <tbody>
              {preview.headers.map((header, i) => (
                <tr key={header}>
                  <td><label htmlFor={`map-${i}`}>{header}</label></td>
                  <td>
                    <select id={`map-${i}`} value={mapping[header] ?? ""} onChange={(e) => setMapping((m) => ({ ...m, [header]: e.target.value }))}>
                      <option value="">{strings.importer.skip}</option>
                      {writable.map((f) => (
                        <option key={f.name} value={f.name}>{humanize(f.name)}</option>
                      ))}
                      {lookups.map((r) => (
                        <option key={r.name} value={r.name}>{strings.importer.lookup(humanize(r.name))}</option>
                      ))}
                    </select>
                  </td>
                  <td className="muted">{preview.sampleRows[0] ? cell(preview.sampleRows[0], header) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {uniqueKeys.length > 0 && (
            <p>
              <label htmlFor="upsert-by">{strings.importer.upsertBy} </label>
              <select id="upsert-by" value={upsertBy} onChange={(e) => setUpsertBy(e.target.value)}>
                <option value="">{strings.importer.createOnly}</option>
                {mappedKeys.map((f) => (
                  <option key={f.name} value={f.name}>{humanize(f.name)}</option>
                ))}
              </select>
            </p>
          )}
          {upsertBy ? (
            <p className="muted">{strings.importer.updateHint(keyLabel(upsertBy))}</p>
          ) : (
            mappedKeys.length > 0 && <p className="muted">{strings.importer.createOnlyHint(keyLabel(mappedKeys[0].name))}</p>
          )}
          <button type="button" className="primary" onClick={() => void check()} disabled={mappedFields.length === 0}>{strings.importer.preview}</button>
        </div>
      )}

      {step === 2 && preview && (
        <div className="card">
          <h2>{strings.importer.preview}</h2>
          <p className="muted">{strings.list.count(preview.rowCount)}</p>
          {preview.classification && <p data-testid="import-classification"><strong>{strings.importer.classification(preview.classification)}</strong></p>}
          <div className="table-wrap">
            <table className="records">
              <thead><tr><th>{strings.importer.outcome}</th>{Object.entries(mapping).filter(([, f]) => f).map(([, f]) => <th key={f}>{humanize(f)}</th>)}</tr></thead>
              <tbody>
                {preview.sampleRows.map((row, r) => (
                  <tr key={r}>
                    <td>{row.status ? strings.importer.rowStatus[row.status] : ""}{row.match && row.status === "update" ? ` · ${row.match.name}` : ""}</td>
                    {Object.entries(mapping).filter(([, f]) => f).map(([h, f]) => <td key={f}>{cell(row, h)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rowErrors.length > 0 && (
            <>
              <h3>{strings.importer.rowErrors}</h3>
              <RowErrors errors={rowErrors} label={strings.importer.rowErrors} />
              {preview.errorsTruncated && <p className="muted">{strings.importer.errorsTruncated}</p>}
            </>
          )}
          {confirming && upsertBy ? (
            <div className="card" role="alertdialog" aria-labelledby="confirm-update-title" aria-describedby="confirm-update-text">
              <h3 id="confirm-update-title">{strings.importer.confirmTitle}</h3>
              <p id="confirm-update-text">{strings.importer.confirmUpdate(updates, humanize(model.plural).toLowerCase(), humanize(model.name).toLowerCase(), keyLabel(upsertBy))}</p>
              <div className="form-actions">
                <button type="button" className="ghost" onClick={() => setConfirming(false)}>{strings.form.cancel}</button>
                <button type="button" className="primary" onClick={() => void start()}>{strings.importer.confirm}</button>
              </div>
            </div>
          ) : (
            <div className="form-actions">
              <button type="button" className="ghost" onClick={() => setStep(1)}>{strings.form.cancel}</button>
              {/* Records that exist are only overwritten after the person has seen how many and said yes. */}
              <button type="button" className="primary" onClick={() => (upsertBy && updates > 0 ? setConfirming(true) : void start())}>{strings.importer.start}</button>
            </div>
          )}
        </div>
      )}

      {step === 3 && job && (
        <div className="card" data-testid="import-progress">
          <progress max={Math.max(total, 1)} value={job.progress.processed} aria-label="Import progress" />
          <p>{strings.importer.progress(job.progress.processed, total)}</p>
          {job.state === "completed" && (
            <>
              <h2>{strings.importer.done}</h2>
              <p data-testid="import-summary">{strings.importer.summary(job.progress.created, job.progress.updated, job.progress.rejected)}</p>
              {job.progress.rejected > 0 && (
                <>
                  <h3>{strings.importer.rejectedRows}</h3>
                  <RowErrors errors={job.errors} label={strings.importer.rejectedRows} />
                  <button type="button" onClick={() => void download(`/api/import/${job.id}/errors.csv`, `${model.plural}-errors.csv`)}>{strings.importer.errors}</button>
                </>
              )}
              <a className="button primary" {...linkProps(paths.list(model.name))}>{humanize(model.plural)}</a>
            </>
          )}
          {job.state === "failed" && <p className="error-text" role="alert">{strings.importer.failed(job.failure?.message ?? "")}</p>}
        </div>
      )}
    </section>
  );
}

function RowErrors({ errors, label }: { errors: RowError[]; label: string }) {
  return (
    <ul className="error-list" aria-label={label}>
      {errors.map((e, i) => (
        <li key={i}>{strings.importer.rowError(e.row, e.field ? humanize(e.field) : null, e.message)}</li>
      ))}
    </ul>
  );
}
