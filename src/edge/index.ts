export { EdgeError, type EdgeErrorCode } from './edge-error.js';
export type { EdgeOptions, Readiness } from './edge-options.js';
export { EdgeServer } from './edge-server.js';
export { type HttpApiOptions, httpRoutes } from './http-api.js';
