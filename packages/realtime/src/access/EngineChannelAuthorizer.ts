// Who may join which channel, decided by the engine with the connection's own RequestContext:
//   record:<Model>:<id>  the record must be readable: role matrix, row rules, policies, tenant
//                        (a findUnique that returns null — missing or not yours — is FORBIDDEN, so
//                        the answer does not reveal whether the record exists);
//   board:<Model>        read permission on the model (rows are filtered per event, see liveViews);
//   user:<id>            only that user (the principal's `sub`).
import { Authorizer, EngineError, type Engine } from "@tessera/engine";
import type { ModelIR } from "@tessera/schema";
import type { ChannelRef } from "../protocol/channelName.ts";
import { RealtimeError } from "../protocol/RealtimeError.ts";
import type { ChannelAuthorizer } from "../hub/RealtimeHub.ts";
import type { ConnectionIdentity } from "../hub/HubConnection.ts";

export class EngineChannelAuthorizer implements ChannelAuthorizer {
  constructor(private readonly engine: Engine) {}

  async authorizeJoin(identity: ConnectionIdentity, channel: ChannelRef): Promise<void> {
    if (channel.kind === "user") {
      if (channel.userId !== identity.sub) throw new RealtimeError("FORBIDDEN", `${channel.name} is only for that user`, { channel: channel.name });
      return;
    }
    const model = this.modelOf(channel.name, channel.model);
    if (channel.kind === "board") {
      const decision = new Authorizer(this.engine.schema, identity.request).decide(model, "read");
      if (decision instanceof EngineError) throw new RealtimeError("FORBIDDEN", `${channel.name}: ${decision.message}`, { channel: channel.name });
      return;
    }
    let record: unknown;
    try {
      record = await this.engine.model(model.name).findUnique({ [model.primaryKey]: channel.id }, identity.request, {
        fields: [model.primaryKey],
        ...(this.engine.schema.config.softDeletes ? { deleted: "include" as const } : {}),
      });
    } catch (error) {
      if (error instanceof EngineError && (error.code === "FORBIDDEN" || error.code === "UNAUTHENTICATED")) {
        throw new RealtimeError("FORBIDDEN", `${channel.name}: ${error.message}`, { channel: channel.name });
      }
      // An id the model's key cannot hold (not a uuid): the channel names no record.
      if (error instanceof EngineError && error.code === "VALIDATION_FAILED") {
        throw new RealtimeError("BAD_CHANNEL", `${channel.name}: '${channel.id}' is not a ${model.name} id`, { channel: channel.name });
      }
      throw error;
    }
    if (record === null) throw new RealtimeError("FORBIDDEN", `${channel.name}: no ${model.name} with that id that you may read`, { channel: channel.name });
  }

  private modelOf(channel: string, name: string): ModelIR {
    const model = this.engine.schema.models.find((m) => m.name === name);
    if (!model) throw new RealtimeError("BAD_CHANNEL", `${channel}: the schema has no model '${name}'`, { channel });
    return model;
  }
}
