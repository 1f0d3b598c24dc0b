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

/**
 * Streams `body` into `path` (mode 0600); returns its size in bytes. Past the limit it stops
 * listening rather than destroying the body, so the 413 still reaches the client (the error
 * handler then closes the connection instead of draining the rest).
 */
export function receiveUpload(body: Readable, path: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { mode: 0o600 });
    let bytes = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      body.off("data", onData).off("end", onEnd).off("error", fail);
      body.pause();
      file.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(new PayloadTooLargeError(maxBytes));
      if (!file.write(chunk)) {
        body.pause();
        file.once("drain", () => body.resume());
      }
    };
    const onEnd = (): void => {
      if (!failed) file.end(() => resolve(bytes));
    };
    file.on("error", fail);
    body.on("data", onData).on("end", onEnd).on("error", fail);
  });
}
