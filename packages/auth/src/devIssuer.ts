// The local issuer of the embedded default: no identity provider to set up, passwordless sign-in
// for demo users. Its ES256 key pair is generated once and kept in the data directory (mode 0600)
// so tokens survive restarts. Tokens are verified through the same jose path as any issuer's.
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from "jose";
import { TESSERA_CLAIMS } from "./claimMapping.ts";
import { createJwtVerifier, type JwtVerifier } from "./verifyJwt.ts";

export const DEV_ISSUER = "tessera-dev";
export const DEV_AUDIENCE = "tessera";
export const DEV_ISSUER_FILE = "dev-issuer.json";
const ALG = "ES256";
const DEFAULT_EXPIRES_IN = "8h";

/** The dev issuer runs only when no issuer is configured and NODE_ENV is not production. */
export function isDevIssuerEnabled(config: { issuer?: string | null; nodeEnv?: string | undefined }): boolean {
  const issuerConfigured = typeof config.issuer === "string" && config.issuer.trim() !== "";
  return !issuerConfigured && config.nodeEnv !== "production";
}

export interface DevTokenInput {
  /** The User's id (uuid), so membership checks find the user. */
  sub: string;
  roles: readonly string[];
  tenantId: string | null;
  teams?: readonly string[];
  permissions?: readonly string[];
  /** A jose time span (`"8h"`, `"15m"`) or seconds; default 8 hours. */
  expiresIn?: string | number;
}

interface KeyFile {
  alg: typeof ALG;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
}

export class DevIssuer {
  readonly issuer = DEV_ISSUER;
  readonly audience = DEV_AUDIENCE;
  /** The public key set, served at `/.well-known/jwks.json`. */
  readonly jwks: JSONWebKeySet;
  readonly keyFile: string;
  private readonly keys: KeyFile;
  private verifierInstance: JwtVerifier | undefined;

  private constructor(keyFile: string, keys: KeyFile) {
    this.keyFile = keyFile;
    this.keys = keys;
    this.jwks = { keys: [{ ...keys.publicJwk, kid: keys.kid, alg: ALG, use: "sig" }] };
  }

  /** Loads `<dataDir>/dev-issuer.json`, creating it (0600) on first use. */
  static async open(dataDir: string): Promise<DevIssuer> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, DEV_ISSUER_FILE);
    return new DevIssuer(file, await loadOrCreateKeys(file));
  }

  async issueDevToken(input: DevTokenInput): Promise<string> {
    const key = await importJWK(this.keys.privateJwk, ALG);
    const claims: Record<string, unknown> = {
      roles: [...input.roles],
      teams: [...(input.teams ?? [])],
      permissions: [...(input.permissions ?? [])],
    };
    if (input.tenantId !== null) claims[TESSERA_CLAIMS.tenant as string] = input.tenantId;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: this.keys.kid, typ: "JWT" })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(input.sub)
      .setIssuedAt()
      .setExpirationTime(input.expiresIn ?? DEFAULT_EXPIRES_IN)
      .sign(key);
  }

  /** Verifies dev tokens with the local key set (same jose path as a remote issuer). */
  verifier(options: { clockToleranceSeconds?: number } = {}): JwtVerifier {
    if (options.clockToleranceSeconds !== undefined) {
      return createJwtVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: this.jwks, algorithms: [ALG], claims: TESSERA_CLAIMS, ...options });
    }
    this.verifierInstance ??= createJwtVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: this.jwks, algorithms: [ALG], claims: TESSERA_CLAIMS });
    return this.verifierInstance;
  }
}

function isKeyFile(value: unknown): value is KeyFile {
  if (value === null || typeof value !== "object") return false;
  const v = value as Partial<KeyFile>;
  return v.alg === ALG && typeof v.kid === "string" && typeof v.privateJwk === "object" && typeof v.publicJwk === "object";
}

async function readKeys(file: string): Promise<KeyFile> {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (!isKeyFile(parsed)) throw new Error(`${file} is not a Tessera dev issuer key file; delete it to generate a new key pair`);
  // Someone loosened the mode: a private key readable by others is tightened back.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return parsed;
}

async function loadOrCreateKeys(file: string): Promise<KeyFile> {
  try {
    return await readKeys(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const keys: KeyFile = {
    alg: ALG,
    kid: await calculateJwkThumbprint(publicJwk),
    privateJwk: await exportJWK(privateKey),
    publicJwk,
    createdAt: new Date().toISOString(),
  };
  // Written whole to a temporary file, then linked into place: two processes starting at once
  // never see a half-written file, and the second one adopts the first one's keys.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  try {
    await link(tmp, file);
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKeys(file);
    throw error;
  } finally {
    await unlink(tmp);
  }
}
