import type { FieldError } from "../EngineError.ts";
import { EngineError, validationFailed } from "../EngineError.ts";
import type { RequestContext } from "../queryTypes.ts";
import type { SchemaIR } from "@tessera/schema";
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
  private tenantPlaceholder: string | undefined;
  /** Upper bound of `first`/`last`, also inside includes. */
  readonly maxPageSize: number;

  constructor(
    readonly schema: SchemaIR,
    readonly request: RequestContext,
    maxPageSize?: number,
  ) {
    this.maxPageSize = maxPageSize ?? schema.config.maxPageSize;
  }

  /** A fresh table alias (`t0`, `t1`, …), unique within the statement. */
  alias(): string {
    return `t${this.aliasCount++}`;
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
