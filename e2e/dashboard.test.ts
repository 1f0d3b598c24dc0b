// The dashboard: its figures come from group-bys in the database, so they must agree with the API,
// and each chart draws one bar per group.
import { describe, it } from "vitest";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();

describe("the dashboard", () => {
  it("shows the open pipeline of the main currency and one bar per stage, as the API counts them", async () => {
    const groups = await suite.crm.query<{ dealsGroupBy: { key: { stage: string; currency: string }; count: number; sum: { value: string | null } }[] }>(
      "Ana",
      `{ dealsGroupBy(by: [stage, currency]) { key { stage currency } count sum { value } } }`,
    );
    const perCurrency = new Map<string, number>();
    for (const g of groups.dealsGroupBy) perCurrency.set(g.key.currency, (perCurrency.get(g.key.currency) ?? 0) + g.count);
    const main = [...perCurrency.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const inMain = groups.dealsGroupBy.filter((g) => g.key.currency === main);
    const open = inMain.filter((g) => !["won", "lost"].includes(g.key.stage)).reduce((sum, g) => sum + Number(g.sum.value ?? 0), 0);

    const page = await suite.page();
    await signInAs(page, "Ana");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    const expected = open.toLocaleString("en-GB", { style: "currency", currency: main, maximumFractionDigits: 0 });
    await eventually(() => page.getByTestId("kpi-open").innerText()).toBe(expected);
    const stageChart = page.locator("figure").filter({ hasText: "Pipeline value by stage" });
    await eventually(() => stageChart.locator(".recharts-bar-rectangle").count()).toBe(inMain.length);
    // Another currency is one choice away, and the figures follow it.
    const other = [...perCurrency.keys()].find((c) => c !== main);
    if (other) {
      await page.getByLabel("Currency").selectOption(other);
      await eventually(() => page.getByTestId("kpi-open").innerText()).toContain(
        (0).toLocaleString("en-GB", { style: "currency", currency: other, maximumFractionDigits: 0 }).replace(/[\d.,\s]/g, ""),
      );
    }
  });
});
