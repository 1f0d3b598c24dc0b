// Relay global ids: base64 of `Model:uuid`. Records keep their uuid in `id`; the global id is `nodeId`.

export function toGlobalId(modelName: string, id: string): string {
  return Buffer.from(`${modelName}:${id}`, "utf8").toString("base64");
}

/** The model name and uuid of a global id, or undefined when it is not one. */
export function fromGlobalId(globalId: string): { model: string; id: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(globalId)) return undefined;
  const text = Buffer.from(globalId, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { model: text.slice(0, colon), id: text.slice(colon + 1) };
}
