/**
 * Per-field limits of client frames, checked by the decoders. The whole frame's size limit is the
 * edge's (it sees the frame before decoding); these bound what one frame can make the server keep
 * and echo back.
 */
export const MAX_REF_LENGTH = 128;
export const MAX_HEADERS = 32;
export const MAX_HEADER_NAME_LENGTH = 128;
/** W3C asks that `tracestate` of at least 512 characters be kept. */
export const MAX_HEADER_VALUE_LENGTH = 1024;
export const MAX_TOKEN_LENGTH = 16_384;
/** Messages one `history` request may ask for, and how many it gets without `limit`. */
export const MAX_HISTORY_LIMIT = 1000;
export const DEFAULT_HISTORY_LIMIT = 100;
/** Nesting of `meta` (objects and arrays); presence metas are re-encoded for every member. */
export const MAX_META_DEPTH = 16;

/**
 * Header names starting with this are the server's: a client frame carrying one is `bad_frame`,
 * so that a marker such as `DATA_ENCODING_HEADER` can be trusted by receivers.
 */
export const RESERVED_HEADER_PREFIX = 'x-arq-';
/**
 * Set to `base64` on a JSON `message` frame whose `data` is the base64 text of bytes that were not
 * JSON (published by a binary client). See `client-frame.ts` for the whole rule.
 */
export const DATA_ENCODING_HEADER = 'x-arq-data-encoding';
