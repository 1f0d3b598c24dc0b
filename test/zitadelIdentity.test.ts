// Users of a real OpenID Provider (oidc-provider) issuing ZITADEL-shaped access tokens — a numeric
// subject, project roles as an object, the organisation as `urn:zitadel:iam:user:resourceowner:id` —
// against the CRM: an organisation linked to a tenant lets its users in (provisioned on the first
// request, with the token's roles); an organisation not linked is a clear 403 naming it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Provider from "oidc-provider";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { Engine, IdentityStore } from "@tessera/engine";
import { ZITADEL_ORG_CLAIM, ZITADEL_ROLES_CLAIM } from "@tessera/auth";
import { createApiServer } from "@tessera/server";
import { openCrmDatabase, type CrmDatabase } from "./support/crmDatabase.ts";

const TENANT = "4a000000-0000-4000-8000-00000000000a";
const LINKED_ORG = "248123456789012345";
const UNLINKED_ORG = "248999999999999999";
const CLIENT_ID = "tessera-api-test";
const RESOURCE = "https://api.tessera.test";

let issuerServer: Server;
let issuer: string;
let provider: Provider;
let crm: CrmDatabase;
let engine: Engine;
let app: FastifyInstance;
let stateDir: string;

/** The organisation and roles a ZITADEL user's access token carries, per account. */
const accounts: Record<string, { org: string; roles: string[]; email?: string; name?: string }> = {
  "274893204823049231": { org: LINKED_ORG, roles: ["Sales"], email: "zoe@zitadel.example", name: "Zoe Zitadel" },
  "274893204823049232": { org: UNLINKED_ORG, roles: ["Admin"], email: "ulf@zitadel.example", name: "Ulf Unlinked" },
  "274893204823049233": { org: LINKED_ORG, roles: ["Sales"] },
};

/** An access token as the provider issues it (signed with its key, published at its JWKS). */
async function accessToken(accountId: string): Promise<string> {
  const client = await provider.Client.find(CLIENT_ID);
  const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
  grant.addResourceScope(RESOURCE, "api");
  const grantId = await grant.save();
  const resourceServer = new provider.ResourceServer(RESOURCE, { scope: "api", audience: "tessera", accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } });
  return new provider.AccessToken({ accountId, client, grantId, scope: "api", resourceServer }).save();
}

async function gql(token: string, query: string) {
  const response = await app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}` }, payload: { query } });
  return { status: response.statusCode, body: response.json() as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } };
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  issuerServer = createServer();
  await new Promise<void>((resolve) => issuerServer.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, token_endpoint_auth_method: "none", redirect_uris: ["http://127.0.0.1/callback"], grant_types: ["authorization_code"], response_types: ["code"] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "zitadel-like", alg: "RS256", use: "sig" }] },
    cookies: { keys: ["a-test-cookie-key-that-is-long-enough"] },
    ttl: { AccessToken: 600, Grant: 600 },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: "api", audience: "tessera", accessTokenFormat: "jwt", accessTokenTTL: 600, jwt: { sign: { alg: "RS256" } } }),
      },
    },
    // ZITADEL's shapes: roles are the keys of an object (role → { orgId: domain }).
    extraTokenClaims: async (_ctx, token) => {
      const account = accounts[String((token as { accountId?: string }).accountId)];
      return {
        [ZITADEL_ROLES_CLAIM]: Object.fromEntries(account.roles.map((role) => [role, { [account.org]: "crm.zitadel.example" }])),
        [ZITADEL_ORG_CLAIM]: account.org,
        ...(account.email ? { email: account.email } : {}),
        ...(account.name ? { name: account.name } : {}),
      };
    },
  });
  issuerServer.on("request", provider.callback());

  crm = await openCrmDatabase([TENANT]);
  engine = new Engine({ schema: crm.schema, db: crm.db });
  await new IdentityStore(engine).linkTenant(issuer, LINKED_ORG, TENANT);
  stateDir = mkdtempSync(join(tmpdir(), "tessera-zitadel-"));
  const server = await createApiServer({
    engine,
    ir: crm.schema,
    appName: "crm",
    dataDir: stateDir,
    logger: false,
    issuer: { issuer, audience: "tessera", claims: "zitadel" },
    roleSource: "token",
    rateLimit: { perIp: 100_000, perPrincipal: 100_000, durationSeconds: 60 },
  });
  app = server.app;
});

afterAll(async () => {
  await app?.close();
  await crm?.drop();
  if (issuerServer?.listening) await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe("ZITADEL-shaped tokens from a real OpenID Provider", () => {
  it("provisions the user of a linked organisation on the first request, with the token's roles, in the linked tenant", async () => {
    const token = await accessToken("274893204823049231");
    const session = await app.inject({ method: "GET", url: "/auth/session", headers: { authorization: `Bearer ${token}` } });
    expect(session.statusCode, session.body).toBe(200);
    const me = session.json() as { user: { id: string; name: string; roles: string[] }; tenantId: string };
    expect(me.tenantId).toBe(TENANT);
    expect(me.user.roles).toEqual(["sales"]);
    expect(me.user.id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await crm.db.query<{ email: string; name: string }>(`SELECT email, name FROM users WHERE id = $1`, [me.user.id]);
    expect(row.rows).toEqual([{ email: "zoe@zitadel.example", name: "Zoe Zitadel" }]);
    const identity = await crm.db.query<{ issuer: string; subject: string }>(`SELECT issuer, subject FROM tessera_identities WHERE user_id = $1`, [me.user.id]);
    expect(identity.rows).toEqual([{ issuer, subject: "274893204823049231" }]);

    // As sales, under the CRM's row rules: she creates a contact and a deal she owns, and reads them.
    const contact = await gql(token, `mutation { createContact(data: { firstName: "Zed", ownerId: "${me.user.id}" }) { id } }`);
    expect(contact.body.errors, JSON.stringify(contact.body)).toBeUndefined();
    const contactId = (contact.body.data?.createContact as { id: string }).id;
    const deal = await gql(token, `mutation { createDeal(data: { title: "Zitadel deal", contactId: "${contactId}", ownerId: "${me.user.id}" }) { id owner { name } } }`);
    expect(deal.body.errors, JSON.stringify(deal.body)).toBeUndefined();
    expect(deal.body.data?.createDeal).toMatchObject({ owner: { name: "Zoe Zitadel" } });
    // Sales cannot delete (the CRM's role matrix), whatever the token says about her.
    const refused = await gql(token, `mutation { deleteDeal(where: { id: "${(deal.body.data?.createDeal as { id: string }).id}" }) { id } }`);
    expect(refused.body.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses a user of an organisation that is not linked, naming the organisation and the command that links it", async () => {
    const token = await accessToken("274893204823049232");
    const answer = await gql(token, `{ deals { id } }`);
    expect(answer.status).toBe(403);
    const message = answer.body.errors?.[0].message ?? "";
    expect(answer.body.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(message).toContain(UNLINKED_ORG);
    expect(message).toContain("tessera tenant link");
  });

  it("refuses, with a message a person can act on, a token the app's User cannot be made from (the CRM needs an e-mail)", async () => {
    const answer = await gql(await accessToken("274893204823049233"), `{ deals { id } }`);
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0].message).toMatch(/could not be created from the sign-in token: email/);
    expect(Number((await crm.db.query<{ n: string }>(`SELECT count(*) AS n FROM tessera_identities WHERE subject = '274893204823049233'`)).rows[0].n)).toBe(0);
  });
});
