// A list's state lives in the URL (issue #13): search text, sort, filters, page and columns are in
// the query string, so opening a record and pressing Back shows the same list, reload keeps it, and
// Back within the list steps through its earlier states. A malformed or stale parameter is dropped
// for the list's default, never an error.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { browserSuite } from "./support/browserSuite.ts";
import { eventually } from "./support/eventually.ts";
import { signInAs } from "./support/signIn.ts";

const suite = browserSuite();

/** A made-up word: the search matches by prefix and similarity, so no two tests share a stem. */
const word = () => [...randomBytes(9)].map((b, i) => String.fromCharCode((i === 0 ? 65 : 97) + (b % 26))).join("");

/** Three contacts sharing a last name no other record has, created out of alphabetical order. */
async function family(): Promise<{ lastName: string; firstNames: string[] }> {
  const lastName = word();
  const firstNames = ["Carmen", "Alba", "Beatriz"];
  for (const firstName of firstNames) {
    await suite.crm.query("Ana", `mutation New($data: ContactCreateInput!) { createContact(data: $data) { id } }`, { data: { firstName, lastName } });
  }
  return { lastName, firstNames };
}

const searchBox = (page: Page) => page.getByRole("searchbox", { name: "Search" });
const table = (page: Page) => page.locator("table.records");
/** The first-name column of the rows shown, top to bottom. */
const shownFirstNames = (page: Page) => table(page).locator("tbody tr td:first-child").allInnerTexts();
const firstNameHeader = (page: Page) => table(page).getByRole("columnheader", { name: /First name/ });

async function contactsList(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Contacts" }).click();
  await page.getByRole("heading", { level: 1, name: "Contacts" }).waitFor();
}

async function expectSearchedAndSorted(page: Page, lastName: string): Promise<void> {
  await page.getByRole("heading", { level: 1, name: "Contacts" }).waitFor();
  await eventually(() => searchBox(page).inputValue()).toBe(lastName);
  await eventually(() => firstNameHeader(page).getAttribute("aria-sort")).toBe("ascending");
  await eventually(() => shownFirstNames(page)).toEqual(["Alba", "Beatriz", "Carmen"]);
  const url = new URL(page.url());
  expect(url.pathname).toBe("/m/Contact");
  expect(url.searchParams.get("q")).toBe(lastName);
  expect(url.searchParams.get("sort")).toBe("firstName_ASC");
}

describe("list state in the URL", () => {
  it("keeps Ana's search and sort when she opens a contact and comes Back, and after a reload", async () => {
    const { lastName } = await family();
    const page = await suite.page();
    await signInAs(page, "Ana");
    await contactsList(page);

    await searchBox(page).fill(lastName);
    await eventually(() => table(page).locator("tbody tr").count()).toBe(3);
    await page.getByRole("button", { name: "Sort by First name" }).click();
    await expectSearchedAndSorted(page, lastName);

    await table(page).getByRole("link", { name: "Beatriz" }).click();
    await page.getByRole("heading", { level: 1, name: `Beatriz ${lastName}` }).waitFor();
    await page.goBack();
    await expectSearchedAndSorted(page, lastName);

    await page.reload();
    await expectSearchedAndSorted(page, lastName);
  });

  it("steps Back through the list's earlier states: one entry per change, not per key typed", async () => {
    const { lastName } = await family();
    const page = await suite.page();
    await signInAs(page, "Ana");
    await contactsList(page);

    await searchBox(page).pressSequentially(lastName);
    await eventually(() => table(page).locator("tbody tr").count()).toBe(3);
    const sort = page.getByRole("button", { name: "Sort by First name" });
    await sort.click();
    await eventually(() => firstNameHeader(page).getAttribute("aria-sort")).toBe("ascending");
    await sort.click();
    await eventually(() => shownFirstNames(page)).toEqual(["Carmen", "Beatriz", "Alba"]);

    await page.goBack();
    await expectSearchedAndSorted(page, lastName);
    await page.goBack();
    await eventually(() => firstNameHeader(page).getAttribute("aria-sort")).toBeNull();
    expect(await searchBox(page).inputValue()).toBe(lastName);
    // The whole typed search was one entry: the next Back is the unfiltered list.
    await page.goBack();
    await eventually(() => searchBox(page).inputValue()).toBe("");
    expect(new URL(page.url()).search).toBe("");
  });

  it("restores filters, page and columns from a link, and drops what is malformed or stale", async () => {
    const { lastName } = await family();
    const page = await suite.page();
    await signInAs(page, "Ana");

    const link = `/m/Contact?f=lastName:eq:${lastName}&sort=firstName_DESC&cols=firstName,jobTitle`;
    await page.goto(`${suite.crm.url}${link}`);
    await page.getByRole("heading", { level: 1, name: "Contacts" }).waitFor();
    await eventually(() => shownFirstNames(page)).toEqual(["Carmen", "Beatriz", "Alba"]);
    const headers = await table(page).getByRole("columnheader").allTextContents();
    expect(headers.map((h) => h.trim())).toEqual([expect.stringMatching(/^First name/), "Job title"]);
    expect(await page.getByRole("button", { name: "Filters (1)" }).isVisible()).toBe(true);

    // A page number is a page of the list, Back-able like the rest.
    await page.goto(`${suite.crm.url}/m/Contact?sort=firstName_ASC&page=2`);
    await page.getByRole("navigation", { name: "Pagination" }).getByText(/^Page 2 of/).waitFor();
    const secondPage = await shownFirstNames(page);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByRole("navigation", { name: "Pagination" }).getByText(/^Page 3 of/).waitFor();
    await eventually(() => new URL(page.url()).searchParams.get("page")).toBe("3");
    await page.goBack();
    await page.getByRole("navigation", { name: "Pagination" }).getByText(/^Page 2 of/).waitFor();
    await eventually(() => shownFirstNames(page)).toEqual(secondPage);

    // Unknown sort field, bad page, unknown filter field and operator, unknown column, a shapeless rule:
    // each ignored, the rest kept, and the URL cleaned to match.
    const junk = `/m/Contact?q=${lastName}&sort=shoeSize_UP&page=abc&f=nope:eq:1&f=lastName:bogus:x&f=garbage&cols=zzz,,`;
    await page.goto(`${suite.crm.url}${junk}`);
    await page.getByRole("heading", { level: 1, name: "Contacts" }).waitFor();
    await eventually(() => table(page).locator("tbody tr").count()).toBe(3);
    expect(await table(page).getByRole("columnheader").allTextContents()).toHaveLength(5);
    expect(await page.getByRole("alert").count()).toBe(0);
    await eventually(() => new URL(page.url()).search).toBe(`?q=${lastName}`);

    // A page past the end (rows deleted since the link was made) falls back to the first page.
    await page.goto(`${suite.crm.url}/m/Contact?q=${lastName}&page=40`);
    await eventually(() => table(page).locator("tbody tr").count()).toBe(3);
    await eventually(() => new URL(page.url()).search).toBe(`?q=${lastName}`);
  });
});
