// Helpers shared by the auth tests: a signing key with its JWKS, and a cookie jar for fetch.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTPayload } from "jose";

export interface TestKey {
  kid: string;
  alg: "ES256" | "RS256";
  privateKey: CryptoKey;
  jwks: JSONWebKeySet;
}

export async function testKey(kid: string, alg: "ES256" | "RS256" = "ES256"): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: "sig" }] } };
}

export interface SignOptions {
  issuer?: string;
  audience?: string;
  sub?: string | null;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number | null;
}

export async function sign(key: TestKey, claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt(now - 60);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  if (options.sub !== null) jwt = jwt.setSubject(options.sub ?? "user-1");
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  return jwt.sign(key.privateKey);
}

/** Just enough of a browser: remembers cookies per origin and sends them back. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(origin, jar);
  }

  header(url: string): string {
    const jar = this.cookies.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
  }

  has(url: string, name: string): boolean {
    return this.cookies.get(new URL(url).origin)?.has(name) ?? false;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(url, response);
    return response;
  }
}
