import { describe, expect, it } from "vitest";
import { lowerFirst, pluralize, snakeCase } from "@tessera/schema";

describe("pluralize", () => {
  it.each([
    ["company", "companies"],
    ["activity", "activities"],
    ["status", "statuses"],
    ["person", "people"],
    ["QuoteItem", "QuoteItems"],
    ["Company", "Companies"],
    ["Person", "People"],
    ["day", "days"],
    ["box", "boxes"],
    ["SocialEvent", "SocialEvents"],
  ])("%s → %s", (word, plural) => {
    expect(pluralize(word)).toBe(plural);
  });
});

describe("snakeCase", () => {
  it.each([
    ["SocialEvents", "social_events"],
    ["annualRevenue", "annual_revenue"],
    ["HTTPStatus", "http_status"],
    ["QuoteItems", "quote_items"],
    ["name", "name"],
  ])("%s → %s", (name, snake) => {
    expect(snakeCase(name)).toBe(snake);
  });

  it("derives table names and API plurals", () => {
    expect(snakeCase(pluralize("SocialEvent"))).toBe("social_events");
    expect(lowerFirst(pluralize("QuoteItem"))).toBe("quoteItems");
  });
});
