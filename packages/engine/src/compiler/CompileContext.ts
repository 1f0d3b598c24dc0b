import type { FieldError } from "../EngineError.ts";
import { EngineError, validationFailed } from "../EngineError.ts";
import type { RequestContext } from "../queryTypes.ts";
import type { FieldIR, ModelIR, SchemaIR } from "@tessera/schema";
import { Authorizer } from "../authorization/Authorizer.ts";
import { SqlParams } from "./SqlParams.ts";
import { UUID_PATTERN } from "./coerceValue.ts";

/**
 * State shared while one statement is compiled: the parameters, table aliases, collected
 * validation errors and the tenant placeholder (added once, reused by every scoped table).
 */
export class CompileContext {
  readonly params = new SqlParams();
  readonly errors: FieldError[] = [];
  private aliasCount = 0;
  private columnCount = 0;
  private tenantPlaceholder: string | undefined;
  /** Upper bound of `first`/`last`, also inside includes. */
  readonly maxPageSize: number;
  /** What the request may do; shared by every table the statement touches. */
  readonly auth: Authorizer;
  /**
   * True while a row rule or policy condition is compiled: those are trusted schema predicates, so
   * field access and the read rules of the models they reach are not applied inside them.
   */
  inRule = false;

  constructor(
    readonly schema: SchemaIR,
    readonly request: RequestContext,
    maxPageSize?: number,
  ) {
    this.maxPageSize = maxPageSize ?? schema.config.maxPageSize;
    this.auth = new Authorizer(schema, request);
  }

  /** Whether the request may read the field (always, inside rules). */
  canRead(model: ModelIR, field: FieldIR): boolean {
    return this.inRule || this.auth.canReadField(model, field);
  }

  /** Throws FORBIDDEN when a filter, order or aggregate uses a field the request may not read. */
  requireReadable(model: ModelIR, field: FieldIR, path: (string | number)[]): void {
    if (this.canRead(model, field)) return;
    const message = `${model.name}.${field.name} is not readable for this principal`;
    throw new EngineError("FORBIDDEN", message, [{ path, message, rule: "field_access" }]);
  }

  /** Marks the current parameters and errors, to drop what a failed rule added (see `rollback`). */
  checkpoint(): { params: number; errors: number; tenant: string | undefined } {
    return { params: this.params.values.length, errors: this.errors.length, tenant: this.tenantPlaceholder };
  }

  rollback(mark: { params: number; errors: number; tenant: string | undefined }): void {
    this.params.values.length = mark.params;
    this.errors.length = mark.errors;
    this.tenantPlaceholder = mark.tenant;
  }

  /** A fresh table alias (`t0`, `t1`, …), unique within the statement. */
  alias(): string {
    return `t${this.aliasCount++}`;
  }

  /** Result columns named so far. */
  get columnsUsed(): number {
    return this.columnCount;
  }

  /** A fresh result-column name (`c0`, `c1`, …), unique within the statement. */
  column(): string {
    return `c${this.columnCount++}`;
  }

  error(path: (string | number)[], rule: string, message: string): void {
    this.errors.push({ path, rule, message });
  }

  /** The placeholder of the request's tenant; throws FORBIDDEN when the request has none. */
  tenant(): string {
    if (this.tenantPlaceholder) return this.tenantPlaceholder;
    const tenantId = this.request.tenantId;
    if (tenantId === null || tenantId === undefined || tenantId === "") {
      throw new EngineError("FORBIDDEN", "a tenant is required");
    }
    if (!UUID_PATTERN.test(tenantId)) throw new EngineError("FORBIDDEN", "the tenant id is not a valid uuid");
    this.tenantPlaceholder = this.params.typed(tenantId, "uuid");
    return this.tenantPlaceholder;
  }

  /** Throws VALIDATION_FAILED with every collected error, if any. */
  throwIfInvalid(): void {
    if (this.errors.length > 0) throw validationFailed(this.errors);
  }
}
