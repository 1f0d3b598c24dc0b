// The sales dashboard: pipeline value by stage, won/lost by month, activities per owner. Every number
// is a group-by in the database (one statement each), never rows summed in the browser.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { gql } from "../api/client.ts";
import type { ApiDescription } from "../api/meta.ts";
import { formatMoney } from "../components/FieldValue.tsx";
import { EmptyState, ErrorState } from "../components/States.tsx";
import { useActorNames } from "../components/useActorNames.ts";
import { humanize, strings } from "../i18n/strings.ts";
import { linkProps, paths } from "../router.ts";
import { useLiveQueries } from "../realtime/hooks.ts";

interface DashboardData {
  byStage: { key: { stage: string; currency: string }; count: number; sum: { value: string | null } }[];
  closed: { key: { stage: string; actualCloseDate: string | null }; count: number; sum: { value: string | null } }[];
  perOwner: { key: { assignedToId: string | null }; count: number }[];
  contacts: { aggregate: { count: number } };
}

const DOCUMENT = `{
  byStage: dealsGroupBy(by: [stage, currency]) { key { stage currency } count sum { value } }
  closed: dealsGroupBy(by: [stage, actualCloseDate], where: { stage_in: [won, lost], actualCloseDate_not: null }) { key { stage actualCloseDate } count sum { value } }
  perOwner: activitiesGroupBy(by: [assignedToId]) { key { assignedToId } count }
  contacts: contactsConnection(first: 1) { aggregate { count } }
}`;

export function Dashboard({ meta }: { meta: ApiDescription }) {
  const crm = ["Deal", "Activity", "Contact"].every((name) => meta.models.some((m) => m.name === name && m.can.read));
  const data = useQuery({ queryKey: ["dashboard"], queryFn: () => gql<DashboardData>(DOCUMENT), enabled: crm });
  useLiveQueries(crm ? "board:Deal" : null, [["dashboard"]]);
  useLiveQueries(crm ? "board:Activity" : null, [["dashboard"]]);
  const names = useActorNames(meta, data.data?.perOwner.map((g) => g.key.assignedToId) ?? []);
  const [chosenCurrency, setCurrency] = useState<string | null>(null);

  if (!crm) {
    return (
      <section>
        <h1>{strings.dashboard.title}</h1>
        <ul className="model-cards">
          {meta.models.filter((m) => m.can.read).map((m) => (
            <li key={m.name}><a className="card" {...linkProps(paths.list(m.name))}>{humanize(m.plural)}</a></li>
          ))}
        </ul>
      </section>
    );
  }
  if (data.error) return <ErrorState error={data.error} onRetry={() => void data.refetch()} />;
  if (!data.data) return <p className="muted">{strings.errors.loading}</p>;

  // Values in different currencies are never added up: the money figures are for one currency at a
  // time, by default the one most deals use.
  const dealsPerCurrency = new Map<string, number>();
  for (const g of data.data.byStage) dealsPerCurrency.set(g.key.currency, (dealsPerCurrency.get(g.key.currency) ?? 0) + g.count);
  const currencies = [...dealsPerCurrency.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const currency = chosenCurrency ?? currencies[0] ?? "EUR";
  const inCurrency = data.data.byStage.filter((g) => g.key.currency === currency);
  const stageOrder = meta.models.find((m) => m.name === "Deal")?.fields.find((f) => f.name === "stage")?.values ?? [];
  const byStage = [...inCurrency]
    .sort((a, b) => stageOrder.indexOf(a.key.stage) - stageOrder.indexOf(b.key.stage))
    .map((g) => ({ stage: humanize(g.key.stage), value: Number(g.sum.value ?? 0), count: g.count }));
  const open = inCurrency.filter((g) => !["won", "lost"].includes(g.key.stage)).reduce((sum, g) => sum + Number(g.sum.value ?? 0), 0);
  const won = inCurrency.filter((g) => g.key.stage === "won").reduce((sum, g) => sum + Number(g.sum.value ?? 0), 0);
  const deals = data.data.byStage.reduce((sum, g) => sum + g.count, 0);
  // Counts are for every currency: a deal won is a deal won, whatever it was worth.
  const countIn = (stage: string): number => data.data.byStage.filter((g) => g.key.stage === stage).reduce((sum, g) => sum + g.count, 0);

  const months = new Map<string, { month: string; won: number; lost: number }>();
  for (const g of data.data.closed) {
    const month = (g.key.actualCloseDate ?? "").slice(0, 7);
    const entry = months.get(month) ?? { month, won: 0, lost: 0 };
    if (g.key.stage === "won") entry.won += g.count;
    else entry.lost += g.count;
    months.set(month, entry);
  }
  const wonLost = [...months.values()].sort((a, b) => a.month.localeCompare(b.month)).slice(-12);
  const perOwner = data.data.perOwner
    .map((g) => ({ owner: g.key.assignedToId ? (names[g.key.assignedToId] ?? g.key.assignedToId.slice(0, 8)) : strings.dashboard.unassigned, count: g.count }))
    .sort((a, b) => b.count - a.count);

  return (
    <section className="dashboard">
      <header className="page-header">
        <h1>{strings.dashboard.title}</h1>
        {currencies.length > 1 && (
          <div className="actions">
            <label htmlFor="dashboard-currency">{strings.dashboard.currency}</label>
            <select id="dashboard-currency" value={currency} onChange={(e) => setCurrency(e.target.value)}>
              {currencies.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </div>
        )}
      </header>
      <div className="kpis">
        <div className="kpi"><span>{strings.dashboard.openValue}</span><strong data-testid="kpi-open">{formatMoney(open, currency)}</strong></div>
        <div className="kpi"><span>{strings.dashboard.wonValue}</span><strong>{formatMoney(won, currency)}</strong></div>
        <div className="kpi"><span>{strings.dashboard.wonCount}</span><strong data-testid="kpi-won-count">{countIn("won").toLocaleString()}</strong></div>
        <div className="kpi"><span>{strings.dashboard.lostCount}</span><strong data-testid="kpi-lost-count">{countIn("lost").toLocaleString()}</strong></div>
        <div className="kpi"><span>{strings.dashboard.deals}</span><strong>{deals.toLocaleString()}</strong></div>
        <div className="kpi"><span>{strings.dashboard.contacts}</span><strong>{data.data.contacts.aggregate.count.toLocaleString()}</strong></div>
      </div>
      <div className="charts">
        <figure className="card chart">
          <figcaption>{strings.dashboard.pipelineByStage} ({currency})</figcaption>
          {byStage.length === 0 ? <EmptyState text={strings.board.empty} /> : (
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={byStage}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="stage" interval={0} tick={{ fontSize: 12 }} />
                <YAxis tickFormatter={(v: number) => `${Math.round(v / 1000)}k`} />
                <Tooltip formatter={(v) => formatMoney(v, currency)} />
                <Bar dataKey="value" name={strings.dashboard.value} fill="#4f46e5" radius={[4, 4, 0, 0]} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </figure>
        <figure className="card chart">
          <figcaption>{strings.dashboard.wonLost}</figcaption>
          {wonLost.length === 0 ? <EmptyState text={strings.board.empty} /> : (
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={wonLost}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="month" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="won" name={strings.dashboard.won} stackId="a" fill="#16a34a" />
                <Bar dataKey="lost" name={strings.dashboard.lost} stackId="a" fill="#dc2626" />
              </BarChart>
            </ResponsiveContainer>
          )}
        </figure>
        <figure className="card chart">
          <figcaption>{strings.dashboard.activitiesPerOwner}</figcaption>
          {perOwner.length === 0 ? <EmptyState text={strings.timeline.empty} /> : (
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={perOwner} layout="vertical" margin={{ left: 40 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="owner" width={120} />
                <Tooltip />
                <Bar dataKey="count" name={strings.dashboard.activities} fill="#0891b2" radius={[0, 4, 4, 0]} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </figure>
      </div>
    </section>
  );
}
