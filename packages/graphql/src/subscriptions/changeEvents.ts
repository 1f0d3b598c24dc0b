// One committed event → one subscriber's change event, or nothing. Everything the subscriber may see
// is decided by the engine itself: the record is read through `findMany` with the subscriber's own
// RequestContext (tenant, role matrix, row rules, policies, field rules) and the subscription's
// `where`, so a record the subscriber could not read with a query is never delivered, and fields it
// could not read are absent. `previous` (the record before the change, from the event log) is
// redacted with the engine's Authorizer, the same field rules the engine applies to reads.
import { Authorizer, EngineError, validationFailed, type Engine, type EventRecord, type RecordData, type RequestContext, type Selection, type Where } from "@tessera/engine";
import { SYSTEM_FIELDS, type ModelIR, type SchemaIR } from "@tessera/schema";

/** The engine's event types (`ChangeEventType` in GraphQL: CREATED, UPDATED, …). */
export type ChangeType = EventRecord["type"];

export const CHANGE_TYPES: readonly ChangeType[] = ["Created", "Updated", "Deleted", "Restored", "Destroyed"];

/** The value of `<Model>ChangeEvent`. */
export interface ChangePayload {
  type: ChangeType;
  node: RecordData | null;
  previous: RecordData | null;
  changedFields: string[];
  actor: string | null;
  at: string;
  seq: number;
}

/** What one subscription asked for, fixed when it starts. */
export interface ChangeSubscriptionSpec {
  model: ModelIR;
  request: RequestContext;
  /** The subscription's `where` (absent: every record the subscriber may read). */
  where: Where | undefined;
  /** The subscription's `events` (absent: all of them). */
  events: ReadonlySet<ChangeType> | undefined;
  /** What `node { … }` selects (fields and includes); the primary key at least. */
  nodeSelection: Selection;
}

/** How many record ids a subscription with `where` remembers as matching (for DESTROYED). */
export const KNOWN_MATCHES_LIMIT = 10_000;

/** Cheap checks done when the event is queued: tenant, model and event type. */
export function mayConcern(spec: ChangeSubscriptionSpec, event: EventRecord): boolean {
  if (event.model !== spec.model.name) return false;
  if (spec.events && !spec.events.has(event.type)) return false;
  // A tenant-scoped record belongs to its tenant only. Platform models (tenantScoped: false) log
  // changes made without a tenant with a NULL tenant, visible to every tenant (decisions.md).
  if (event.tenantId === spec.request.tenantId) return true;
  return event.tenantId === null && !spec.model.tenantScoped;
}

/** The record as it was before the change: the after-image with every change's `from` put back. */
export function previousImage(event: EventRecord): RecordData | null {
  if (event.type === "Created" || !event.data) return null;
  if (event.type === "Destroyed") return { ...event.data };
  const before: RecordData = { ...event.data };
  for (const [field, change] of Object.entries(event.changes)) before[field] = change.from;
  return before;
}

/** DateTime output convention: UTC with microseconds (the event log gives milliseconds). */
function toApiDateTime(at: string): string {
  return /\.\d{3}Z$/.test(at) ? at.replace(/Z$/, "000Z") : at;
}

function without(record: RecordData | null, field: string): RecordData | null {
  if (!record || !(field in record)) return record;
  const { [field]: _dropped, ...rest } = record;
  void _dropped;
  return rest;
}

/**
 * Decides and builds what one subscriber receives for one event. Stateful per subscription only in
 * `known`: the ids it has seen matching its `where` (to decide DESTROYED, see `deliver`).
 */
export class ChangeFilter {
  private readonly known = new Map<string, true>();
  private readonly auth: Authorizer;

  constructor(
    private readonly engine: Engine,
    private readonly ir: SchemaIR,
    readonly spec: ChangeSubscriptionSpec,
  ) {
    this.auth = new Authorizer(ir, spec.request);
  }

  /** The change event for this subscriber, or null when it must not see this event. */
  async deliver(event: EventRecord): Promise<ChangePayload | null> {
    if (!mayConcern(this.spec, event)) return null;
    const { model } = this.spec;
    const decision = this.auth.decide(model, "read");
    if (decision instanceof EngineError) return null;

    let node: RecordData | null = null;
    if (event.type === "Destroyed") {
      // The row is gone: neither the row rules nor `where` can be evaluated by the engine any more.
      // Like the engine's own history of a destroyed record, it is shown only to subscribers whose
      // reads of the model are not row-restricted (no row rule, no conditional deny policy), and,
      // when the subscription has a `where`, only for a record this subscription saw matching it.
      if (decision.grants !== null || decision.denies.length > 0) return null;
      if (this.spec.where !== undefined && !this.known.has(event.recordId)) return null;
      this.known.delete(event.recordId);
    } else {
      node = await this.read(event.recordId);
      if (!node) {
        this.known.delete(event.recordId);
        return null;
      }
      this.remember(event.recordId);
    }

    const tenantField = model.fields.find((f) => f.column === SYSTEM_FIELDS.tenantId)?.name ?? "tenantId";
    const previous = without(this.auth.redact(model, previousImage(event)), tenantField);
    const readable = new Set(model.fields.filter((f) => f.name !== tenantField && this.auth.canReadField(model, f)).map((f) => f.name));
    return {
      type: event.type,
      node,
      previous,
      changedFields: Object.keys(event.changes).filter((f) => readable.has(f)),
      actor: event.actor,
      at: toApiDateTime(event.at),
      seq: event.seq,
    };
  }

  /**
   * The record through the engine with the subscriber's context: tenant, read rules, row rules,
   * policies, field rules and `where` all apply. Soft-deleted records are included (a DELETED
   * event's record is in the trash). The read shows the record as it is when the event is
   * delivered: normally right after the change; if it changed again since, the newer state (whose
   * own event follows).
   */
  private async read(id: string): Promise<RecordData | null> {
    const { model, where, nodeSelection, request } = this.spec;
    const byId: Where = { [model.primaryKey]: id };
    const page = await this.engine.model(model.name).findMany(
      {
        ...nodeSelection,
        where: where === undefined ? byId : { AND: [byId, where] },
        first: 1,
        ...(this.ir.config.softDeletes ? { deleted: "include" as const } : {}),
      },
      request,
    );
    return page.nodes[0] ?? null;
  }

  private remember(id: string): void {
    if (this.spec.where === undefined) return;
    this.known.delete(id);
    this.known.set(id, true);
    if (this.known.size > KNOWN_MATCHES_LIMIT) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}

/**
 * Checks a subscription before it starts, with one engine read that matches nothing: the role
 * matrix and policies (FORBIDDEN / UNAUTHENTICATED), the tenant, `where` and the node selection
 * (VALIDATION_FAILED with paths) — so a bad subscription fails at once, not at its first event.
 */
export async function checkSubscription(engine: Engine, ir: SchemaIR, spec: ChangeSubscriptionSpec): Promise<void> {
  const { model, where, nodeSelection, request } = spec;
  const none: Where = { [model.primaryKey]: "00000000-0000-4000-8000-000000000000" };
  try {
    await engine.model(model.name).findMany(
      {
        ...nodeSelection,
        where: where === undefined ? none : { AND: [none, where] },
        first: 1,
        ...(ir.config.softDeletes ? { deleted: "include" as const } : {}),
      },
      request,
    );
  } catch (error) {
    // `where` was nested under AND for the check: report paths as the client wrote them.
    if (error instanceof EngineError && error.fieldErrors.length > 0) {
      const fieldErrors = error.fieldErrors.map((e) =>
        e.path[0] === "where" && e.path[1] === "AND" && e.path[2] === 1 ? { ...e, path: ["where", ...e.path.slice(3)] } : e,
      );
      if (error.code === "VALIDATION_FAILED") throw validationFailed(fieldErrors);
      throw new EngineError(error.code, error.message.replaceAll("where.AND.1.", "where."), fieldErrors);
    }
    throw error;
  }
}
