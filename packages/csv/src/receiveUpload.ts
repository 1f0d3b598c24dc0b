// Writes a request body to a file, refusing it once it passes the size limit, so a 100 MiB upload
// costs disk rather than memory and the import can stream from the file at its own pace.
import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { EngineError } from "@tessera/engine";

/** VALIDATION_FAILED answered with 413: the body is larger than the route accepts. */
export class PayloadTooLargeError extends EngineError {
  readonly statusCode = 413;
  constructor(limit: number) {
    const size = limit >= 1_048_576 ? `${Math.floor(limit / 1_048_576)} MiB` : `${limit} bytes`;
    super("VALIDATION_FAILED", `the CSV is larger than ${size}; split it into several files`);
  }
}

export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1_048_576;

/** The client went away before the whole body arrived. */
export class UploadAbortedError extends EngineError {
  constructor() {
    super("VALIDATION_FAILED", "the upload ended before the whole CSV arrived");
  }
}

/**
 * Streams `body` into `path` (mode 0600); returns its size in bytes. Past the limit it stops
 * listening rather than destroying the body, so the 413 still reaches the client (the error
 * handler then closes the connection instead of draining the rest). Rejects, once the file is
 * closed (so the caller's folder removal cannot race a pending write), when the limit is passed,
 * the body fails, or the body closes before its end: a client that disconnects mid-way, even
 * before this function was called, must not leave the promise (and its folder) waiting forever.
 */
export function receiveUpload(body: Readable, path: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { mode: 0o600 });
    let bytes = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      body.off("data", onData).off("end", onEnd).off("error", fail).off("close", onClose);
      body.pause();
      if (file.closed) reject(error);
      else {
        file.once("close", () => reject(error));
        file.destroy();
      }
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(new PayloadTooLargeError(maxBytes));
      if (!file.write(chunk)) {
        body.pause();
        file.once("drain", () => body.resume());
      }
    };
    let ended = false;
    const onEnd = (): void => {
      ended = true;
      if (!failed) file.end(() => resolve(bytes));
    };
    // 'close' without 'end' first: destroyed (the connection was cut) with or without an 'error'.
    const onClose = (): void => {
      if (!ended) fail(new UploadAbortedError());
    };
    file.on("error", fail);
    if (body.destroyed && !body.readableEnded) return fail(body.errored ?? new UploadAbortedError());
    body.on("data", onData).on("end", onEnd).on("error", fail).on("close", onClose);
  });
}
