// The part of oidc-provider's API the sign-in and identity tests use (the package ships no type declarations).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface InteractionDetails {
    uid: string;
    grantId?: string;
    session?: { accountId: string };
    params: Record<string, unknown>;
    prompt: { name: string; details: Record<string, unknown> };
  }

  interface GrantInstance {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    save(): Promise<string>;
  }

  interface GrantClass {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
    findAccount?: (ctx: unknown, id: string) => Promise<Account | undefined>;
    interactions?: { url: (ctx: unknown, interaction: { uid: string }) => string };
    pkce?: { required: () => boolean };
    features?: Record<string, unknown>;
    extraTokenClaims?: (ctx: unknown, token: unknown) => Promise<Record<string, unknown>>;
  }

  interface ClientInstance {
    clientId: string;
  }

  interface ResourceServerInstance {
    identifier(): string;
  }

  interface AccessTokenInstance {
    /** Persists the token and returns its value (a JWT when the resource server asks for one). */
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly Grant: GrantClass;
    readonly Client: { find(id: string): Promise<ClientInstance | undefined> };
    readonly ResourceServer: new (identifier: string, info: Record<string, unknown>) => ResourceServerInstance;
    readonly AccessToken: new (init: {
      accountId: string;
      client: ClientInstance | undefined;
      grantId: string;
      scope: string;
      resourceServer: ResourceServerInstance;
    }) => AccessTokenInstance;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
