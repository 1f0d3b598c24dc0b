// Child process (P): PostGraphile v5 (Amber preset) over the bench database, served by grafserv's
// plain Node adaptor. Connects as the owner/superuser, so RLS does not apply: the tenant and
// soft-delete filters are explicit `condition`s in the query instead. Run with NODE_ENV=production
// and NODE_OPTIONS=--require bench/api/node22-shims.cjs (Node 20).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { addPgTableCondition } from "postgraphile/utils";
import { benchUrl, POOL_SIZE } from "./common.ts";

// PostGraphile's built-in `condition` is equality only; these two add the list filter the way a
// PostGraphile user would (graphile-utils' condition helper), as plain SQL on the table alias.
const StageIn = addPgTableCondition({ schemaName: "public", tableName: "deals" }, "stageIn", (build) => ({
  type: new build.graphql.GraphQLList(new build.graphql.GraphQLNonNull(build.getTypeByName("DealStage") as never)),
}), (value, { sql, sqlTableAlias }) => (value == null ? null : sql`${sqlTableAlias}.stage = any(${sql.value(value as string[])}::public."DealStage"[])`));
const ValueGte = addPgTableCondition({ schemaName: "public", tableName: "deals" }, "valueGte", (build) => ({
  type: build.getTypeByName("BigFloat") as never,
}), (value, { sql, sqlTableAlias }) => (value == null ? null : sql`${sqlTableAlias}.value >= ${sql.value(String(value))}::numeric`));

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [StageIn, ValueGte],
  // By default PostGraphile offers `condition`/`orderBy` only on indexed columns; nothing indexes
  // deals.value, tenant_id or deleted_at here (Tessera filters/orders by them all the same).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: benchUrl(), schemas: ["public"], poolConfig: { max: POOL_SIZE } })],
  grafserv: { graphiql: false, watch: false },
};

const port = Number(process.env.PORT);
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 60_000;
serv.addTo(server).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
await pgl.getSchema();
server.listen(port, "127.0.0.1", () => process.send?.({ ready: port }));
process.on("SIGTERM", () => {
  server.close();
  void Promise.resolve(pgl.release()).finally(() => process.exit(0));
});
