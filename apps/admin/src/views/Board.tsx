// The Deal Kanban: one column per stage of the chosen pipeline, with count and value totals from a
// group-by. Dragging a card (pointer or keyboard) moves it to another stage or reorders it within one
// by giving it a position between its new neighbours (fractional, so nothing else is rewritten).
// The move shows at once and is undone, with a toast, if the server refuses it. A stage that needs
// more than a move (the schema's required_if rules: Won and Lost want a close date, Lost a reason)
// first asks for it in a dialog and saves stage and values in one update; cancelling leaves the card.
import { useMemo, useState } from "react";
import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, gql } from "../api/client.ts";
import type { ApiDescription } from "../api/meta.ts";
import { formatMoney } from "../components/FieldValue.tsx";
import { EmptyState, ErrorState } from "../components/States.tsx";
import { toast } from "../components/Toasts.tsx";
import { strings } from "../i18n/strings.ts";
import { linkProps, paths } from "../router.ts";
import { useLiveQueries } from "../realtime/hooks.ts";
import { useUsers } from "../components/useActorNames.ts";
import { fieldsNeededFor, StageFieldsDialog } from "../components/StageFieldsDialog.tsx";

interface Stage {
  id: string;
  key: string;
  name: string;
  position: number;
  kind: string;
}
interface Pipeline {
  id: string;
  name: string;
  isDefault: boolean;
  stages: Stage[];
}
interface Deal {
  id: string;
  title: string;
  value: string | null;
  currency: string;
  stage: string;
  position: number;
  version: number;
  owner: { name: string } | null;
  contact: { firstName: string; lastName: string | null } | null;
}
interface Group {
  key: { stage: string; currency: string };
  count: number;
  sum: { value: string | null };
}
type BoardData = Record<string, Deal[] | Group[]>;

/** A drop on a stage that needs more values, waiting for them in the dialog. */
interface PendingMove {
  deal: Deal;
  stage: Stage;
  position: number;
}

const PER_COLUMN = 50;

export function Board({ meta }: { meta: ApiDescription }) {
  const client = useQueryClient();
  const deal = meta.models.find((m) => m.name === "Deal");
  const pipelines = useQuery({
    queryKey: ["pipelines"],
    queryFn: () => gql<{ pipelines: Pipeline[] }>(`{ pipelines(orderBy: [name_ASC], first: 50) { id name isDefault stages(orderBy: [position_ASC], first: 50) { id key name position kind } } }`),
  });
  const owners = useUsers(meta);
  const [pipelineId, setPipelineId] = useState<string | null>(null);
  const [ownerId, setOwnerId] = useState("");
  const [pending, setPending] = useState<PendingMove | null>(null);
  const pipeline = pipelines.data?.pipelines.find((p) => p.id === pipelineId) ?? pipelines.data?.pipelines.find((p) => p.isDefault) ?? pipelines.data?.pipelines[0];
  const stages = pipeline?.stages ?? [];

  const where = useMemo(() => {
    if (!pipeline) return {};
    // Deals without a pipeline belong to the default one.
    const inPipeline = pipeline.isDefault ? { OR: [{ pipelineId: pipeline.id }, { pipelineId: null }] } : { pipelineId: pipeline.id };
    return ownerId ? { AND: [inPipeline, { ownerId }] } : inPipeline;
  }, [pipeline, ownerId]);
  const document = `query Board($where: DealWhereInput!) {
    groups: dealsGroupBy(by: [stage, currency], where: $where) { key { stage currency } count sum { value } }
    ${stages.map((s, i) => `c${i}: deals(where: { AND: [$where, { stage: ${s.key} }] }, orderBy: [position_ASC, createdAt_ASC], first: ${PER_COLUMN}) { id title value currency stage position version owner { name } contact { firstName lastName } }`).join("\n")}
  }`;
  const boardKey = ["board", pipeline?.id, ownerId];
  const board = useQuery({ queryKey: boardKey, queryFn: () => gql<BoardData>(document, { where }), enabled: stages.length > 0 });
  // Every open board moves when a deal change commits, wherever it was made.
  useLiveQueries("board:Deal", [["board"]]);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));

  if (!deal) return <ErrorState message={strings.record.notFound} />;
  if (pipelines.error) return <ErrorState error={pipelines.error} />;
  if (pipelines.data && !pipeline) return <EmptyState text={strings.board.noPipeline} />;

  const columns = stages.map((s, i) => ({ stage: s, deals: (board.data?.[`c${i}`] as Deal[] | undefined) ?? [] }));
  const groups = (board.data?.groups as Group[] | undefined) ?? [];

  const onDragEnd = async (event: DragEndEvent) => {
    const dragged = event.active.data.current as { deal: Deal } | undefined;
    const over = event.over?.data.current as { stage: string; before?: Deal } | undefined;
    if (!dragged || !over || !board.data) return;
    const moving = dragged.deal;
    const column = columns.find((c) => c.stage.key === over.stage);
    if (!column) return;
    const others = column.deals.filter((d) => d.id !== moving.id);
    const index = over.before ? others.findIndex((d) => d.id === over.before!.id) : others.length;
    if (over.before?.id === moving.id) return;
    const prev = others[index - 1]?.position;
    const next = others[index]?.position;
    const position = prev === undefined && next === undefined ? 1000 : prev === undefined ? next! - 1000 : next === undefined ? prev + 1000 : (prev + next) / 2;
    if (moving.stage === over.stage && moving.position === position) return;
    // The card stays where it was until the dialog is saved: cancelling needs no undo.
    if (moving.stage !== over.stage && fieldsNeededFor(deal!, "stage", over.stage).length > 0) {
      setPending({ deal: moving, stage: column.stage, position });
      return;
    }

    const snapshot = client.getQueryData<BoardData>(boardKey);
    const moved: Deal = { ...moving, stage: over.stage, position };
    client.setQueryData<BoardData>(boardKey, (data) => {
      if (!data) return data;
      const out: BoardData = { ...data };
      columns.forEach((c, i) => {
        let list = (out[`c${i}`] as Deal[]).filter((d) => d.id !== moving.id);
        if (c.stage.key === over.stage) list = [...list, moved].sort((a, b) => a.position - b.position);
        out[`c${i}`] = list;
      });
      return out;
    });
    try {
      await gql(`mutation Move($id: ID!, $data: DealUpdateInput!, $version: Int) { updateDeal(where: { id: $id }, data: $data, expectedVersion: $version) { id stage position version } }`, {
        id: moving.id,
        data: moving.stage === over.stage ? { position } : { stage: over.stage, position },
        version: moving.version,
      });
      if (moving.stage !== over.stage) toast(strings.board.moved(moving.title, column.stage.name), "success");
    } catch (e) {
      client.setQueryData(boardKey, snapshot);
      toast(strings.board.refused(e instanceof ApiError ? e.message : String(e)), "error", 8000);
    } finally {
      void client.invalidateQueries({ queryKey: ["board"] });
    }
  };

  /** Stage, position and the dialog's values in one update; a refusal is thrown to the dialog. */
  const saveClosing = async (move: PendingMove, values: Record<string, string>) => {
    await gql(`mutation Close($id: ID!, $data: DealUpdateInput!, $version: Int) { updateDeal(where: { id: $id }, data: $data, expectedVersion: $version) { id stage position version } }`, {
      id: move.deal.id,
      data: { ...values, stage: move.stage.key, position: move.position },
      version: move.deal.version,
    });
    setPending(null);
    toast(strings.board.moved(move.deal.title, move.stage.name), "success");
    void client.invalidateQueries({ queryKey: ["board"] });
    void client.invalidateQueries({ queryKey: ["dashboard"] });
  };

  return (
    <section className="board-view">
      <header className="page-header">
        <h1>{strings.board.title}</h1>
        <div className="actions">
          <label htmlFor="board-pipeline">{strings.board.pipeline}</label>
          <select id="board-pipeline" value={pipeline?.id ?? ""} onChange={(e) => setPipelineId(e.target.value)}>
            {(pipelines.data?.pipelines ?? []).map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </select>
          {owners && (
            <>
              <label htmlFor="board-owner">{strings.board.owner}</label>
              <select id="board-owner" value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
                <option value="">{strings.board.anyOwner}</option>
                {owners.map((u) => (
                  <option key={u.id} value={u.id}>{u.name}</option>
                ))}
              </select>
            </>
          )}
        </div>
      </header>
      {board.error && <ErrorState error={board.error} onRetry={() => void board.refetch()} />}
      <DndContext sensors={sensors} onDragEnd={(e) => void onDragEnd(e)}>
        <div className="board" role="list">
          {columns.map(({ stage, deals }) => {
            // Amounts in different currencies are never added up: one total per currency.
            const inStage = groups.filter((g) => g.key.stage === stage.key).sort((a, b) => Number(b.sum.value ?? 0) - Number(a.sum.value ?? 0));
            const count = inStage.reduce((n, g) => n + g.count, 0);
            const totals = inStage.map((g) => formatMoney(g.sum.value ?? 0, g.key.currency, true)).join(" + ");
            return (
              <Column key={stage.id} stage={stage} count={count} totals={totals}>
                {deals.map((d) => (
                  <Card key={d.id} deal={d} canMove={deal.can.update} />
                ))}
              </Column>
            );
          })}
        </div>
      </DndContext>
      {pending && (
        <StageFieldsDialog
          title={pending.deal.title}
          stageName={pending.stage.name}
          fields={fieldsNeededFor(deal, "stage", pending.stage.key)}
          onSave={(values) => saveClosing(pending, values)}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}

function Column({ stage, count, totals, children }: { stage: Stage; count: number; totals: string; children: React.ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: `column-${stage.key}`, data: { stage: stage.key } });
  return (
    <div ref={setNodeRef} className={`board-column kind-${stage.kind}${isOver ? " over" : ""}`} role="listitem" aria-label={stage.name} data-stage={stage.key} data-testid={`column-${stage.key}`}>
      <header>
        <h2>{stage.name}</h2>
        <p className="muted">
          <span data-testid="column-count">{strings.board.deals(count)}</span> · <span data-testid="column-total">{totals || formatMoney(0, "EUR")}</span>
        </p>
      </header>
      <ul className="cards">{children}</ul>
    </div>
  );
}

function Card({ deal, canMove }: { deal: Deal; canMove: boolean }) {
  const drag = useDraggable({ id: deal.id, data: { deal }, disabled: !canMove });
  const drop = useDroppable({ id: `before-${deal.id}`, data: { stage: deal.stage, before: deal } });
  const style = drag.transform ? { transform: `translate(${drag.transform.x}px, ${drag.transform.y}px)`, zIndex: 10 } : undefined;
  return (
    <li ref={drop.setNodeRef} className={`card-slot${drop.isOver ? " over" : ""}`}>
      <article ref={drag.setNodeRef} style={style} className={`deal-card${drag.isDragging ? " dragging" : ""}`} data-testid="deal-card" data-deal-id={deal.id} {...drag.listeners} {...drag.attributes}>
        <a className="deal-title" {...linkProps(paths.detail("Deal", deal.id))}>{deal.title}</a>
        <p className="deal-value">{formatMoney(deal.value, deal.currency)}</p>
        <p className="muted">
          {deal.contact ? `${deal.contact.firstName} ${deal.contact.lastName ?? ""}`.trim() : ""}
          {deal.owner ? ` · ${deal.owner.name}` : ""}
        </p>
      </article>
    </li>
  );
}
