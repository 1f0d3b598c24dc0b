// GraphQL over HTTP's media types: a client that asks for `application/graphql-response+json` gets
// it (its status codes are the ones this server uses: 4xx for a request that never executed, 200
// once execution began); any other client — no Accept, `*/*`, `application/json` — gets
// `application/json`, as the spec's watershed asks, so existing clients see no change.
import Negotiator from "negotiator";
import type { IncomingHttpHeaders } from "node:http";

export const GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json";
const JSON_MEDIA_TYPE = "application/json";

/** `application/json` first: on a tie (`*\/*`) the legacy type wins; an explicit preference decides otherwise. */
const AVAILABLE = [JSON_MEDIA_TYPE, GRAPHQL_RESPONSE_MEDIA_TYPE];

export function responseMediaType(headers: IncomingHttpHeaders): typeof JSON_MEDIA_TYPE | typeof GRAPHQL_RESPONSE_MEDIA_TYPE {
  if (headers.accept === undefined || headers.accept.trim() === "") return JSON_MEDIA_TYPE;
  const chosen = new Negotiator({ headers }).mediaType(AVAILABLE);
  return chosen === GRAPHQL_RESPONSE_MEDIA_TYPE ? GRAPHQL_RESPONSE_MEDIA_TYPE : JSON_MEDIA_TYPE;
}
