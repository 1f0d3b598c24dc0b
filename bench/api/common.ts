// Shared by the bench driver and its three server processes.
export const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const BENCH_DB = "tessera_bench";
/** The tenant bench/run.ts seeds (100k deals). */
export const TENANT_ID = "00000000-0000-4000-8000-00000000be01";
/** Pool size of every server, so none gets more database connections than another. */
export const POOL_SIZE = 10;

export function benchUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

/** The list workload's filter. */
export const LIST = { stages: ["qualified", "proposal"], minValue: "1000", first: 50 };
