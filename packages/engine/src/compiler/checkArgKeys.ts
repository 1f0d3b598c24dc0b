import type { CompileContext } from "./CompileContext.ts";

/** Rejects argument names a compiler does not know (no silent drops). */
export function checkArgKeys(cc: CompileContext, args: object, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(args)) {
    if (!allowed.has(key)) cc.error([key], "unknown_field", `unknown argument '${key}'`);
  }
}
