// React hooks over the realtime client: live invalidation of queries, presence and soft locks.
import { useEffect, useState } from "react";
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { ChangeServerFrame, LockInfo, PresenceMember, PresenceState } from "@tessera/realtime/client";
import { realtime, share } from "./live.ts";

/** Refetches `keys` whenever a committed change arrives on `channel` (and `accept` agrees). */
export function useLiveQueries(channel: string | null, keys: QueryKey[], accept: (change: ChangeServerFrame) => boolean = () => true): void {
  const client = useQueryClient();
  const serialized = JSON.stringify(keys);
  useEffect(() => {
    if (!channel) return;
    const rt = realtime();
    if (!rt) return;
    const release = share(channel);
    const refetch = () => {
      for (const key of JSON.parse(serialized) as QueryKey[]) void client.invalidateQueries({ queryKey: key });
    };
    const offChange = rt.on("change", (change) => {
      if (change.channel === channel && accept(change)) refetch();
    });
    // Frames were dropped while we were slow: what is shown may be stale.
    const offDropped = rt.on("dropped", refetch);
    // The server took us off the channel (the record is no longer ours to read): fetch again, which
    // shows the record's "not found or not yours" state instead of stale data.
    const offRevoked = rt.on("revoked", (r) => r.channel === channel && refetch());
    return () => {
      offChange();
      offDropped();
      offRevoked();
      release();
    };
    // `accept` is a fresh closure each render; the channel and keys decide the subscription.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel, serialized, client]);
}

/** Who else is on `channel` and the soft locks there; joins it with `state` while mounted. */
export function usePresence(channel: string | null, state: PresenceState): { members: PresenceMember[]; locks: LockInfo[]; me: string | null } {
  const [members, setMembers] = useState<PresenceMember[]>([]);
  const [locks, setLocks] = useState<LockInfo[]>([]);
  const [me, setMe] = useState<string | null>(null);
  useEffect(() => {
    const rt = realtime();
    if (!rt || !channel) return;
    const release = share(channel, state);
    const refresh = () => {
      setMembers(rt.presence(channel));
      setLocks(rt.locks(channel));
      setMe(rt.welcome?.connectionId ?? null);
    };
    const offPresence = rt.on("presence", (p) => p.channel === channel && refresh());
    const offLock = rt.on("lock", (l) => l.channel === channel && refresh());
    const offWelcome = rt.on("welcome", refresh);
    refresh();
    return () => {
      offPresence();
      offLock();
      offWelcome();
      release();
    };
    // The initial state only; later states go through setPresence.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel]);
  return { members, locks, me };
}

/**
 * Soft locks on the fields of a record being edited: focusing a field announces "editing" and takes
 * its lock (renewed while focused); blurring releases both. `heldByOther(field)` names whoever else
 * holds a field's lock, so the form can make it read-only.
 */
export function useFieldLocks(channel: string | null, locks: LockInfo[], me: string | null, onRefused: (holder: string, field: string) => void) {
  const [mine, setMine] = useState<string | null>(null);
  useEffect(() => {
    const rt = realtime();
    if (!rt || !channel || !mine) return;
    const field = mine;
    void rt.setPresence(channel, { viewing: true, editing: field }).catch(() => undefined);
    const take = () =>
      rt.lock(channel, field, { ttlMs: 30_000 }).catch((error: { code?: string; details?: { holder?: { name?: string | null } } }) => {
        if (error.code === "CONFLICT") onRefused(error.details?.holder?.name ?? "", field);
      });
    void take();
    const renew = setInterval(() => void take(), 10_000);
    return () => {
      clearInterval(renew);
      void rt.unlock(channel, field).catch(() => undefined);
      void rt.setPresence(channel, { viewing: true }).catch(() => undefined);
    };
    // onRefused is a fresh closure per render; the field decides the lock.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel, mine]);
  return {
    editing: mine,
    focus: (field: string) => setMine(field),
    blur: (field: string) => setMine((current) => (current === field ? null : current)),
    heldByOther: (field: string): string | null => {
      const lock = locks.find((l) => l.field === field && l.holder.connectionId !== me);
      return lock ? (lock.holder.name ?? "") : null;
    },
  };
}
