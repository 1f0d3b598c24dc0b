// The issuer's OpenID Provider metadata (`/.well-known/openid-configuration`), fetched once.

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  code_challenge_methods_supported?: string[];
}

export async function fetchDiscovery(issuer: string, fetchImpl: typeof fetch = fetch): Promise<OidcMetadata> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const response = await fetchImpl(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`OIDC discovery at ${url} answered ${response.status}`);
  const doc = (await response.json()) as Partial<OidcMetadata>;
  for (const key of ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof doc[key] !== "string") throw new Error(`OIDC discovery at ${url} has no ${key}`);
  }
  // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
  if (doc.issuer !== issuer) throw new Error(`OIDC discovery at ${url} names issuer ${doc.issuer}, expected ${issuer}`);
  if (doc.code_challenge_methods_supported && !doc.code_challenge_methods_supported.includes("S256")) {
    throw new Error(`the issuer ${issuer} does not support PKCE with S256`);
  }
  return doc as OidcMetadata;
}

/** Caches the metadata; a failed fetch is retried on the next call. */
export function discoveryCache(issuer: string, fetchImpl: typeof fetch = fetch): () => Promise<OidcMetadata> {
  let cached: Promise<OidcMetadata> | undefined;
  return () => {
    cached ??= fetchDiscovery(issuer, fetchImpl).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
