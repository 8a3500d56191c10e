/** Where the assets process serves its signed upload and download URLs (the gateway too). */
export const BLOB_PATH_PREFIX = '/blobs/';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * `/blobs/<tenant>/<asset>`, matched against the raw path, before any decoding or dot-segment
 * normalization: it admits only lowercase hex, dashes and its own slashes, so a path it
 * matches reads the same to every URL parser on the way.
 */
export const BLOB_PATH = new RegExp(`^${BLOB_PATH_PREFIX}(${UUID})/(${UUID})$`);
