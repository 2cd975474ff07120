export { LimitError, type LimitErrorCode } from './limit-error.js';
export { TokenBucket } from './token-bucket.js';
