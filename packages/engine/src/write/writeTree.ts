// `Engine.write`: a record with its related records, created, connected and disconnected in ONE
// transaction: plan (validate once, authorise) → one statement per record, in tree order, each with
// its event → the read-back of `select` → commit. Any refusal rolls back everything written before it.
import type { EngineCore } from "../EngineCore.ts";
import type { RequestContext } from "../queryTypes.ts";
import { Authorizer } from "../authorization/Authorizer.ts";
import { mapDatabaseError } from "../mapDatabaseError.ts";
import { WriteTreePlanner } from "./planWriteTree.ts";
import { WritePlanRunner } from "./runWritePlan.ts";
import { txContextOf } from "./writeChecks.ts";
import type { WriteTree, WriteTreeResult } from "./writeTreeTypes.ts";

export async function writeTree(core: EngineCore, tree: WriteTree, ctx: RequestContext): Promise<WriteTreeResult> {
  const auth = new Authorizer(core.schema, ctx);
  const plan = new WriteTreePlanner(core.schema, ctx, auth).plan(tree);
  let runner: WritePlanRunner | undefined;
  let result: WriteTreeResult;
  try {
    result = await core.db.transaction(async (tx) => {
      runner = new WritePlanRunner(core.schema, tx, ctx, auth);
      return runner.run(plan, tree.select);
    }, txContextOf(ctx));
  } catch (error) {
    // Statement errors are mapped by the runner; this is BEGIN or COMMIT (a serialisation failure).
    throw mapDatabaseError(error, core.schema, plan.model);
  }
  for (const model of runner!.changed) core.afterCommit(ctx.tenantId, model);
  return result;
}
