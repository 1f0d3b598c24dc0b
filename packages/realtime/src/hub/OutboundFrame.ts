// A server frame serialised once. A broadcast to 5,000 subscribers shares one instance, so the JSON
// text (and the bytes a transport needs) are made once, not once per subscriber.
import type { ServerFrame } from "../protocol/frames.ts";

export class OutboundFrame {
  private bytes: Buffer | undefined;

  constructor(readonly text: string) {}

  static of(frame: ServerFrame): OutboundFrame {
    return new OutboundFrame(JSON.stringify(frame));
  }

  /** UTF-8 bytes, made on first use and kept. */
  get buffer(): Buffer {
    this.bytes ??= Buffer.from(this.text, "utf8");
    return this.bytes;
  }
}
