// @tessera/realtime: the hub, its backplanes, the engine-backed channel authorisation, live views
// and the fastify transport. The browser client is `@tessera/realtime/client`.
export { RealtimeHub, defaultNodeId, type HubOptions, type HubStats, type ChannelAuthorizer } from "./hub/RealtimeHub.ts";
export { HubConnection, type ConnectionIdentity, type ConnectionTransport, type InboundRate } from "./hub/HubConnection.ts";
export { ClientQueue, type FrameSink, type ClientQueueLimits, type ClientQueueEvents } from "./hub/ClientQueue.ts";
export { PresenceTable, type PresenceEntry, type PresenceChange } from "./hub/PresenceTable.ts";
export { LockTable, type LockEntry, type LockHolder, type AcquireResult } from "./hub/LockTable.ts";
export { OutboundFrame } from "./hub/OutboundFrame.ts";
export type { ClusterStats } from "./hub/Cluster.ts";
export { BackplaneError, DEFAULT_TOPIC, type Backplane, type BackplaneKind } from "./backplane/Backplane.ts";
export { MemoryBackplane, MemoryBus } from "./backplane/MemoryBackplane.ts";
export { PostgresBackplane } from "./backplane/PostgresBackplane.ts";
export { RedisBackplane } from "./backplane/RedisBackplane.ts";
export { NatsBackplane } from "./backplane/NatsBackplane.ts";
export { createBackplane, type BackplaneConfig } from "./backplane/createBackplane.ts";
export { EngineChannelAuthorizer } from "./access/EngineChannelAuthorizer.ts";
export { userModelNamer, type PrincipalNamer } from "./access/principalName.ts";
export { LiveViewFanout, type LiveViewOptions, type LiveViewStats } from "./liveViews/LiveViewFanout.ts";
export { realtimePlugin, REALTIME_WS_PATH, REALTIME_HEALTH_PATH, type RealtimePluginOptions, type RealtimeCredentials } from "./transport/realtimePlugin.ts";
export { createRealtimeHub, type RealtimeConfig } from "./createRealtimeHub.ts";
export { RealtimeError, isRealtimeError, type RealtimeErrorCode, type RealtimeErrorDetails } from "./protocol/RealtimeError.ts";
export { parseChannel, recordChannel, boardChannel, userChannel, type ChannelRef, type ChannelKind } from "./protocol/channelName.ts";
export { parseClientFrame, type ParsedFrame } from "./protocol/parseClientFrame.ts";
export * from "./protocol/frames.ts";
