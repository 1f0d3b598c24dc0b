// Child process (H): the "hand-written SQL ceiling" — fastify 5 with one hand-written `pg` statement
// per route, connecting as the owner (no RLS, no transaction), rows shaped into JSON in Node.
//   GET /deals       the list workload (fixed filter, as the GraphQL queries of T and P)
//   GET /deals/:id   the by-id workload
import Fastify from "fastify";
import pg from "pg";
import { benchUrl, LIST, POOL_SIZE, TENANT_ID } from "./common.ts";
import { HAND_LIST_SQL as LIST_SQL } from "./handSql.ts";

// numeric stays a string (as the GraphQL Decimal/BigFloat scalars), date stays YYYY-MM-DD.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as "text");
  },
};
const pool = new pg.Pool({ connectionString: benchUrl(), max: POOL_SIZE, types });

const BY_ID_SQL = `
SELECT d.id, d.title, d.value, d.currency, d.stage, d.expected_close_date,
       c.id AS c_id, c.first_name, c.last_name, c.email, co.id AS co_id, co.name AS co_name
  FROM deals d
  LEFT JOIN contacts c ON c.id = d.contact_id AND c.tenant_id = $1 AND c.deleted_at IS NULL
  LEFT JOIN companies co ON co.id = d.company_id AND co.tenant_id = $1 AND co.deleted_at IS NULL
 WHERE d.id = $2 AND d.tenant_id = $1 AND d.deleted_at IS NULL`;

interface Row {
  id: string;
  title: string;
  value: string | null;
  currency: string;
  stage: string;
  expected_close_date: string | null;
  c_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  co_id: string | null;
  co_name: string | null;
}

const shape = (r: Row) => ({
  id: r.id,
  title: r.title,
  value: r.value,
  currency: r.currency,
  stage: r.stage,
  expectedCloseDate: r.expected_close_date,
  contact: r.c_id === null ? null : { id: r.c_id, firstName: r.first_name, lastName: r.last_name, email: r.email },
  company: r.co_id === null ? null : { id: r.co_id, name: r.co_name },
});

const app = Fastify({ logger: false });
app.get("/deals", async () => {
  const { rows } = await pool.query<Row>(LIST_SQL, [TENANT_ID, LIST.stages, LIST.minValue, LIST.first]);
  return { deals: rows.map(shape) };
});
app.get<{ Params: { id: string } }>("/deals/:id", async (request, reply) => {
  const { rows } = await pool.query<Row>(BY_ID_SQL, [TENANT_ID, request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ error: "NOT_FOUND" });
  return { deal: shape(rows[0]) };
});

const port = Number(process.env.PORT);
await app.listen({ port, host: "127.0.0.1" });
process.send?.({ ready: port });
process.once("SIGTERM", () => {
  void app.close().then(() => pool.end()).finally(() => process.exit(0));
});
