// Rate limits the actors enforce (a token bucket per connection, per tenant in the node). Below
// src/ because the connection actor takes them; the node imports them from here (ARCHITECTURE.md).
export { LimitError, type LimitErrorCode } from './limit-error.js';
export { TokenBucket } from './token-bucket.js';
