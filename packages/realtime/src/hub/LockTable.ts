// Soft field locks: at most one holder (a connection) per (channel, field), until it releases the
// lock, its time runs out, or the holder disconnects. "Soft": they tell other editors that someone
// is editing; the engine's version check is what protects the data. Replicated over the backplane
// without a central arbiter: when two nodes grant the same lock at once, every node keeps the one
// acquired first (ties broken by connection id), so they all converge on the same holder.
export interface LockHolder {
  sub: string;
  name: string | null;
  connectionId: string;
  nodeId: string;
}

export interface LockEntry {
  /** Tenant-scoped channel key. */
  key: string;
  field: string;
  holder: LockHolder;
  /** When the holder first got it (renewals keep it); orders concurrent grants. */
  acquiredAt: number;
  /** This node's clock. */
  expiresAt: number;
}

export type AcquireResult = { granted: LockEntry; renewed: boolean } | { conflict: LockEntry };

/** Whether `a` was granted before `b` (the rule every node applies to concurrent grants). */
function grantedFirst(a: LockEntry, b: LockEntry): boolean {
  return a.acquiredAt < b.acquiredAt || (a.acquiredAt === b.acquiredAt && a.holder.connectionId < b.holder.connectionId);
}

export class LockTable {
  private readonly locks = new Map<string, Map<string, LockEntry>>();

  get size(): number {
    let n = 0;
    for (const fields of this.locks.values()) n += fields.size;
    return n;
  }

  /** Grants, renews (same connection), or reports the live lock of someone else. */
  acquire(key: string, field: string, holder: LockHolder, ttlMs: number, now: number): AcquireResult {
    const existing = this.locks.get(key)?.get(field);
    if (existing && existing.expiresAt > now) {
      if (existing.holder.connectionId !== holder.connectionId) return { conflict: existing };
      const renewed = { ...existing, expiresAt: now + ttlMs };
      this.set(renewed);
      return { granted: renewed, renewed: true };
    }
    const granted: LockEntry = { key, field, holder, acquiredAt: now, expiresAt: now + ttlMs };
    this.set(granted);
    return { granted, renewed: false };
  }

  /**
   * A grant or renewal made on another node. Returns whether this node now has it, and the live
   * lock of another holder it displaced (that holder lost a race it did not know about).
   */
  applyRemote(entry: LockEntry, now: number): { accepted: boolean; displaced: LockEntry | null } {
    const existing = this.locks.get(entry.key)?.get(entry.field);
    const live = existing && existing.expiresAt > now ? existing : undefined;
    if (live && live.holder.connectionId !== entry.holder.connectionId && !grantedFirst(entry, live)) return { accepted: false, displaced: null };
    this.set(entry);
    return { accepted: true, displaced: live && live.holder.connectionId !== entry.holder.connectionId ? live : null };
  }

  get(key: string, field: string): LockEntry | undefined {
    return this.locks.get(key)?.get(field);
  }

  /** Releases the lock if `connectionId` holds it. */
  release(key: string, field: string, connectionId: string): LockEntry | null {
    const existing = this.locks.get(key)?.get(field);
    if (!existing || existing.holder.connectionId !== connectionId) return null;
    this.delete(existing);
    return existing;
  }

  /** Removes every lock `matches` selects (a connection or node that went away). */
  releaseWhere(matches: (entry: LockEntry) => boolean): LockEntry[] {
    const released: LockEntry[] = [];
    for (const fields of this.locks.values()) for (const entry of fields.values()) if (matches(entry)) released.push(entry);
    for (const entry of released) this.delete(entry);
    return released;
  }

  /** Removes and returns the locks whose time ran out. */
  expire(now: number): LockEntry[] {
    return this.releaseWhere((entry) => entry.expiresAt <= now);
  }

  /** The live locks of a channel. */
  list(key: string, now: number): LockEntry[] {
    return [...(this.locks.get(key)?.values() ?? [])].filter((e) => e.expiresAt > now);
  }

  entries(matches: (entry: LockEntry) => boolean): LockEntry[] {
    const out: LockEntry[] = [];
    for (const fields of this.locks.values()) for (const entry of fields.values()) if (matches(entry)) out.push(entry);
    return out;
  }

  private set(entry: LockEntry): void {
    let fields = this.locks.get(entry.key);
    if (!fields) {
      fields = new Map();
      this.locks.set(entry.key, fields);
    }
    fields.set(entry.field, entry);
  }

  private delete(entry: LockEntry): void {
    const fields = this.locks.get(entry.key);
    if (!fields) return;
    fields.delete(entry.field);
    if (fields.size === 0) this.locks.delete(entry.key);
  }
}
