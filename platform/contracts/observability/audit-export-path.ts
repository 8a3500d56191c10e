/** Where the observability process serves audit exports (the gateway too, on its public port). */
export const AUDIT_EXPORT_PATH_PREFIX = '/audit-exports/';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * `/audit-exports/<chain>`, matched on the raw path before any decoding: lowercase hex and
 * dashes only, so the path reads the same to every parser on the way.
 */
export const AUDIT_EXPORT_PATH = new RegExp(`^${AUDIT_EXPORT_PATH_PREFIX}(${UUID})$`);
