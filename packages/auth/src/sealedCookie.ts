// Small cookies whose content the browser can neither read nor alter: AES-256-GCM with a key
// derived from the server's secret, and an expiry inside the sealed value.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  secure: boolean;
  sameSite: "Lax" | "Strict";
}

const deriveKey = (secret: string | Uint8Array): Buffer => createHash("sha256").update("tessera-cookie\u0000").update(secret).digest();

export function seal(secret: string | Uint8Array, value: unknown, ttlSeconds: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(secret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify({ v: value, exp: Date.now() + ttlSeconds * 1000 }), "utf8"), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

/** The sealed value, or null when it was altered, sealed with another secret, or has expired. */
export function unseal(secret: string | Uint8Array, sealed: string): unknown {
  const parts = sealed.split(".");
  if (parts.length !== 3) return null;
  try {
    const [iv, body, tag] = parts.map((p) => Buffer.from(p, "base64url"));
    const decipher = createDecipheriv("aes-256-gcm", deriveKey(secret), iv);
    decipher.setAuthTag(tag);
    const json: unknown = JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8"));
    if (json === null || typeof json !== "object") return null;
    const { v, exp } = json as { v?: unknown; exp?: unknown };
    return typeof exp === "number" && exp > Date.now() ? (v ?? null) : null;
  } catch {
    return null;
  }
}

export function readCookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A value the browser did not get from us (malformed %-escapes) reads as no cookie, not a 500.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const attrs = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, "HttpOnly", `SameSite=${options.sameSite}`];
  if (options.secure) attrs.push("Secure");
  return attrs.join("; ");
}
