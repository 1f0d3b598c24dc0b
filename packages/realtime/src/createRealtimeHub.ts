// A node's hub as a deployment configures it: the backplane it names, the engine's channel
// authorisation.
import type { Engine } from "@tessera/engine";
import type { Backplane } from "./backplane/Backplane.ts";
import { createBackplane, type BackplaneConfig } from "./backplane/createBackplane.ts";
import { EngineChannelAuthorizer } from "./access/EngineChannelAuthorizer.ts";
import { RealtimeHub, type HubOptions } from "./hub/RealtimeHub.ts";

/** Realtime settings of a server (`ApiServerOptions.realtime`). */
export interface RealtimeConfig extends Omit<HubOptions, "authorizer" | "backplane" | "nodeId" | "onError"> {
  /** Default: memory (one node). */
  backplane?: BackplaneConfig | Backplane;
  /** Committed changes to record and board channels. Default true. */
  liveViews?: boolean;
}

export function createRealtimeHub(engine: Engine, config: RealtimeConfig = {}, node: { nodeId?: string; onError?: HubOptions["onError"] } = {}): RealtimeHub {
  const { backplane, liveViews: _liveViews, ...tuning } = config;
  void _liveViews;
  return new RealtimeHub({
    ...tuning,
    authorizer: new EngineChannelAuthorizer(engine),
    backplane: createBackplane(backplane ?? { kind: "memory" }, { db: engine.db }),
    ...(node.nodeId !== undefined ? { nodeId: node.nodeId } : {}),
    ...(node.onError ? { onError: node.onError } : {}),
  });
}
