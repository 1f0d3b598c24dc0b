// The browser entry point (`@tessera/realtime/client`): the client and the protocol types, nothing
// that needs Node.
export {
  RealtimeClient,
  type RealtimeClientOptions,
  type RealtimeClientEvents,
  type ReconnectOptions,
  type ConnectionStatus,
  type PresenceEvent,
  type CloseEvent,
  type JoinResult,
  type LockGrant,
  type WebSocketConstructor,
} from "./RealtimeClient.ts";
export { RealtimeError, isRealtimeError, type RealtimeErrorCode, type RealtimeErrorDetails } from "../protocol/RealtimeError.ts";
export { parseChannel, recordChannel, boardChannel, userChannel, type ChannelRef, type ChannelKind } from "../protocol/channelName.ts";
export * from "../protocol/frames.ts";
