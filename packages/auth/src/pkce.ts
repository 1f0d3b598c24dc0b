// PKCE (RFC 7636, S256) and the random values of an authorization request.
import { createHash, randomBytes } from "node:crypto";

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: "S256";
}

export function createPkce(): PkcePair {
  const verifier = randomToken(32);
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url"), method: "S256" };
}
