// Its own module (exported as "@tessera/schema/uuid") so the browser bundle can share it without
// the package root, which reads TypeScript sources with the compiler API.
/** The form of every `id` value (primary and foreign keys, tenant ids): a UUID, any case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
