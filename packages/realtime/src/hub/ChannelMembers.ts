// Which local connections have joined which tenant-scoped channel key, and, per channel name, the
// keys (tenants) that have local members, for events that concern every tenant.
export class ChannelMembers<C> {
  private readonly byKey = new Map<string, Set<C>>();
  private readonly keysByName = new Map<string, Set<string>>();

  get channels(): number {
    return this.byKey.size;
  }

  add(key: string, name: string, member: C): void {
    let members = this.byKey.get(key);
    if (!members) {
      members = new Set();
      this.byKey.set(key, members);
      let keys = this.keysByName.get(name);
      if (!keys) {
        keys = new Set();
        this.keysByName.set(name, keys);
      }
      keys.add(key);
    }
    members.add(member);
  }

  remove(key: string, name: string, member: C): void {
    const members = this.byKey.get(key);
    if (!members?.delete(member) || members.size > 0) return;
    this.byKey.delete(key);
    const keys = this.keysByName.get(name);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByName.delete(name);
  }

  members(key: string): ReadonlySet<C> | undefined {
    return this.byKey.get(key);
  }

  /** The keys of every tenant with local members on `name`. */
  keysOf(name: string): ReadonlySet<string> | undefined {
    return this.keysByName.get(name);
  }
}
