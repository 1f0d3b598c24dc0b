import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import Fastify from "fastify";
import { Engine } from "@tessera/engine";
import { graphqlPlugin } from "@tessera/graphql";
import { openCrmDatabase, type CrmDatabase } from "../../../test/support/crmDatabase.ts";

const TENANT = "0e000000-0000-4000-8000-00000000000e";
const exporter = new InMemorySpanExporter();
let crm: CrmDatabase;

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  crm = await openCrmDatabase([TENANT]);
});
afterAll(async () => {
  trace.disable();
  await crm?.drop();
});

describe("OpenTelemetry", () => {
  it("records a span per root resolver, with the error code when it fails", async () => {
    const app = Fastify();
    await app.register(graphqlPlugin, {
      engine: new Engine({ schema: crm.schema, db: crm.db }),
      ir: crm.schema,
      resolveContext: async () => ({ tenantId: TENANT, principal: { sub: "u", roles: ["admin"], kind: "user" } }),
    });
    const response = await app.inject({
      method: "POST",
      url: "/graphql",
      payload: { query: `{ deals(first: 1) { title } tags { name } contact(where: { id: "00000000-0000-4000-8000-000000000000" }) { id } }` },
    });
    expect(response.statusCode).toBe(200);
    await app.inject({ method: "POST", url: "/graphql", payload: { query: `mutation { createTag(data: { name: "" }) { id } }` } });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(["graphql.Mutation.createTag", "graphql.Query.contact", "graphql.Query.deals", "graphql.Query.tags"]);
    const failed = spans.find((s) => s.name === "graphql.Mutation.createTag")!;
    expect(failed.attributes["tessera.error.code"]).toBe("VALIDATION_FAILED");
    await app.close();
  });
});
