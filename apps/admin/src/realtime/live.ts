// The session's one connection to the realtime hub (/realtime/ws). Components share channels through
// reference counts, so two views of one channel do not leave it under each other's feet.
import { RealtimeClient, type PresenceState } from "@tessera/realtime/client";
import { getSession } from "../auth/session.ts";

let client: RealtimeClient | null = null;
let clientSession: object | null = null;
const joined = new Map<string, number>();

/** The client of the current session (created on first use, replaced when the session changes). */
export function realtime(): RealtimeClient | null {
  const session = getSession();
  if (!session) {
    client?.close();
    client = null;
    clientSession = null;
    return null;
  }
  if (!client || clientSession !== session) {
    client?.close();
    joined.clear();
    clientSession = session;
    const token = session.token;
    client = new RealtimeClient({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/realtime/ws`,
      // Without a pasted token the upgrade request's session cookie signs the socket in.
      ...(token ? { token } : {}),
      ...(session.tenantId ? { tenantId: session.tenantId } : {}),
    });
    void client.connect().catch(() => undefined);
  }
  return client;
}

/** Joins `channel` (with a presence state, or listening only) until the returned function runs. */
export function share(channel: string, state?: PresenceState): () => void {
  const c = realtime();
  if (!c) return () => undefined;
  const count = joined.get(channel) ?? 0;
  joined.set(channel, count + 1);
  if (count === 0 || state !== undefined) void c.join(channel, state === undefined ? {} : { state }).catch(() => undefined);
  return () => {
    const left = (joined.get(channel) ?? 1) - 1;
    if (left > 0) {
      joined.set(channel, left);
      return;
    }
    joined.delete(channel);
    if (client === c) void c.leave(channel).catch(() => undefined);
  };
}
