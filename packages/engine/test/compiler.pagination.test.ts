import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@tessera/db";
import { compileFindMany } from "../src/compiler/index.ts";
import type { FindManyArgs, Page } from "../src/queryTypes.ts";
import { ctxA, deals, fixtureDatabase, model, pageOptions, run, schema, type DealFixture } from "./compilerFixtures.ts";

let db: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ db, drop } = await fixtureDatabase());
});
afterAll(async () => drop());

const STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"];

async function page(args: FindManyArgs): Promise<Page> {
  const { result, statements } = await run(db, compileFindMany(schema, model("Deal"), { fields: ["id"], ...args }, ctxA, pageOptions));
  expect(statements).toBe(1);
  return result;
}

const idsOf = (p: Page): string[] => p.nodes.map((n) => n.id as string);

type Key = [keyof DealFixture, "ASC" | "DESC"];

/** The order PostgreSQL must produce: NULL largest (ASC NULLS LAST, DESC NULLS FIRST), id last. */
function expectedOrder(keys: Key[]): string[] {
  const value = (d: DealFixture, k: keyof DealFixture): number | string | null => {
    const v = d[k];
    if (v === null) return null;
    if (k === "value") return Number(v);
    if (k === "stage") return STAGES.indexOf(v);
    return v;
  };
  return [...deals]
    .sort((a, b) => {
      for (const [k, dir] of [...keys, ["id", "ASC"] as Key]) {
        const x = value(a, k);
        const y = value(b, k);
        if (x === y) continue;
        const cmp = x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
        return dir === "ASC" ? cmp : -cmp;
      }
      return 0;
    })
    .map((d) => d.id);
}

const ORDERS: { orderBy: string[] | undefined; keys: Key[] }[] = [
  { orderBy: undefined, keys: [["createdAt", "ASC"]] },
  { orderBy: ["value_DESC"], keys: [["value", "DESC"]] },
  { orderBy: ["value_ASC", "stage_DESC"], keys: [["value", "ASC"], ["stage", "DESC"]] },
  { orderBy: ["expectedCloseDate_DESC", "value_ASC"], keys: [["expectedCloseDate", "DESC"], ["value", "ASC"]] },
  { orderBy: ["createdAt_DESC", "value_DESC"], keys: [["createdAt", "DESC"], ["value", "DESC"]] },
];

describe("ordering", () => {
  for (const { orderBy, keys } of ORDERS) {
    it(`orders by ${orderBy?.join(", ") ?? "the default (createdAt, then id)"} with NULLs as the largest value`, async () => {
      expect(idsOf(await page({ orderBy, first: 100 }))).toEqual(expectedOrder(keys));
    });
  }

  it("accepts a single orderBy string", async () => {
    expect(idsOf(await page({ orderBy: "value_DESC", first: 100 }))).toEqual(expectedOrder([["value", "DESC"]]));
  });
});

describe("cursor pagination over duplicate sort values", () => {
  for (const { orderBy, keys } of ORDERS) {
    for (const size of [1, 4, 5]) {
      it(`walks every page forwards and backwards (${orderBy?.join(", ") ?? "default"}, pages of ${size})`, async () => {
        const all = expectedOrder(keys);

        const forward: string[] = [];
        let after: string | undefined;
        let pages = 0;
        for (;;) {
          const p = await page({ orderBy, first: size, after });
          expect(p.pageInfo.hasPreviousPage).toBe(pages > 0);
          expect(p.pageInfo.pageSize).toBe(p.nodes.length);
          expect(p.cursors).toHaveLength(p.nodes.length);
          forward.push(...idsOf(p));
          pages++;
          if (!p.pageInfo.hasNextPage) break;
          after = p.pageInfo.endCursor ?? undefined;
          expect(pages).toBeLessThan(50);
        }
        expect(forward).toEqual(all);
        expect(pages).toBe(Math.ceil(all.length / size));

        const backward: string[] = [];
        let before: string | undefined;
        pages = 0;
        for (;;) {
          const p = await page({ orderBy, last: size, before });
          expect(p.pageInfo.hasNextPage).toBe(pages > 0);
          backward.unshift(...idsOf(p));
          pages++;
          if (!p.pageInfo.hasPreviousPage) break;
          before = p.pageInfo.startCursor ?? undefined;
          expect(pages).toBeLessThan(50);
        }
        expect(backward).toEqual(all);
      });
    }
  }

  it("returns the last N in the requested order", async () => {
    const all = expectedOrder([["value", "DESC"]]);
    expect(idsOf(await page({ orderBy: "value_DESC", last: 3 }))).toEqual(all.slice(-3));
    const p = await page({ orderBy: "value_DESC", last: 3 });
    expect(p.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false, pageSize: 3 });
  });

  it("goes back from a cursor with before alone, and pages between two cursors", async () => {
    const all = expectedOrder([["value", "ASC"]]);
    const full = await page({ orderBy: "value_ASC", first: 100 });
    const p = await page({ orderBy: "value_ASC", before: full.cursors[10] });
    expect(idsOf(p)).toEqual(all.slice(0, 10));
    expect(p.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    const between = await run(
      db,
      compileFindMany(schema, model("Deal"), { fields: ["id"], orderBy: "value_ASC", after: full.cursors[2], before: full.cursors[9] }, ctxA, { defaultPageSize: 3, maxPageSize: 10 }),
    );
    expect(idsOf(between.result)).toEqual(all.slice(3, 6));
    expect(between.result.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const rest = await page({ orderBy: "value_ASC", after: full.cursors[2], before: full.cursors[9] });
    expect(idsOf(rest)).toEqual(all.slice(3, 9));
    expect(rest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it("computes pageInfo for skip, empty pages and the ends of the list", async () => {
    const all = expectedOrder([["createdAt", "ASC"]]);
    const first = await page({ first: 5 });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, pageSize: 5 });
    expect(first.pageInfo.startCursor).toBe(first.cursors[0]);
    expect(first.pageInfo.endCursor).toBe(first.cursors[4]);
    const skipped = await page({ first: 5, skip: 5 });
    expect(idsOf(skipped)).toEqual(all.slice(5, 10));
    expect(skipped.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const lastSkipped = await page({ last: 5, skip: 5 });
    expect(idsOf(lastSkipped)).toEqual(all.slice(-10, -5));
    expect(lastSkipped.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const tail = await page({ first: 5, skip: all.length - 5 });
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const beyond = await page({ first: 5, skip: 100 });
    expect(beyond.nodes).toEqual([]);
    expect(beyond.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null, pageSize: 0 });
    const none = await page({ first: 5, where: { title: "nothing" } });
    expect(none.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, pageSize: 0 });
    const zero = await page({ first: 0 });
    expect(zero.nodes).toEqual([]);
    expect(zero.pageInfo.hasNextPage).toBe(true);
    const end = await page({ after: first.cursors[4], first: 100 });
    expect(end.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("uses the default page size and counts the total in the same statement", async () => {
    const small = await run(db, compileFindMany(schema, model("Deal"), { withTotalCount: true, where: { value_not: null } }, ctxA, { defaultPageSize: 4, maxPageSize: 10 }));
    expect(small.statements).toBe(1);
    expect(small.result.nodes).toHaveLength(4);
    expect(small.result.totalCount).toBe(deals.filter((d) => d.value !== null).length);
    expect(small.result.pageInfo.hasNextPage).toBe(true);
  });

  it("keeps a cursor valid when its row is deleted meanwhile", async () => {
    const full = await page({ orderBy: "value_DESC", first: 100 });
    const victim = full.nodes[6].id as string;
    await db.query(`UPDATE deals SET deleted_at = now() WHERE id = $1`, [victim]);
    try {
      const next = await page({ orderBy: "value_DESC", first: 3, after: full.cursors[6] });
      expect(idsOf(next)).toEqual(idsOf(full).slice(7, 10));
      expect(next.pageInfo.hasPreviousPage).toBe(true);
    } finally {
      await db.query(`UPDATE deals SET deleted_at = NULL WHERE id = $1`, [victim]);
    }
  });
});
