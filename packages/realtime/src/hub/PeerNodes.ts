// What this node knows of the other nodes of its cluster: when each was last heard (any message
// counts), so a node that went silent can be declared dead after the timeout; and the parts of a
// node's state snapshot while they arrive.
import type { WireLock, WirePresence } from "./clusterMessages.ts";

export interface NodeState {
  presence: WirePresence[];
  locks: WireLock[];
}

interface Assembly {
  epoch: string;
  parts: (NodeState | undefined)[];
  received: number;
}

export class PeerNodes {
  private readonly lastHeard = new Map<string, number>();
  private readonly assemblies = new Map<string, Assembly>();
  private readonly resyncAskedAt = new Map<string, number>();

  /** Notes that `node` was heard; true when it was not known (new, or back after a timeout). */
  heard(node: string, now: number): boolean {
    const known = this.lastHeard.has(node);
    this.lastHeard.set(node, now);
    return !known;
  }

  /** Nodes not heard within `timeoutMs`; they are forgotten. */
  silent(now: number, timeoutMs: number): string[] {
    const gone: string[] = [];
    for (const [node, at] of this.lastHeard) if (now - at > timeoutMs) gone.push(node);
    for (const node of gone) this.forget(node);
    return gone;
  }

  forget(node: string): void {
    this.lastHeard.delete(node);
    this.assemblies.delete(node);
    this.resyncAskedAt.delete(node);
  }

  get alive(): string[] {
    return [...this.lastHeard.keys()];
  }

  /** Whether to ask `node` for its state again: not if we asked within `intervalMs`. */
  shouldAskResync(node: string, now: number, intervalMs: number): boolean {
    const asked = this.resyncAskedAt.get(node);
    if (asked !== undefined && now - asked < intervalMs) return false;
    this.resyncAskedAt.set(node, now);
    return true;
  }

  /** Collects one part of a node's state; the whole state once every part of its epoch arrived. */
  statePart(node: string, epoch: string, part: number, parts: number, content: NodeState): NodeState | null {
    let assembly = this.assemblies.get(node);
    // A newer snapshot supersedes an incomplete older one (a lost part is not waited for).
    if (!assembly || assembly.epoch !== epoch) {
      assembly = { epoch, parts: new Array<NodeState | undefined>(parts).fill(undefined), received: 0 };
      this.assemblies.set(node, assembly);
    }
    if (part < 0 || part >= assembly.parts.length || assembly.parts[part]) return null;
    assembly.parts[part] = content;
    assembly.received++;
    if (assembly.received < assembly.parts.length) return null;
    this.assemblies.delete(node);
    this.resyncAskedAt.delete(node);
    return {
      presence: assembly.parts.flatMap((p) => p!.presence),
      locks: assembly.parts.flatMap((p) => p!.locks),
    };
  }
}
