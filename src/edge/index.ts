export { EdgeError, type EdgeErrorCode, type EdgeOptionFault } from './edge-error.js';
export {
  type ConnectAttempt,
  checkEdgeTls,
  type EdgeOptions,
  type EdgeTls,
  type Readiness,
} from './edge-options.js';
export { EdgeServer } from './edge-server.js';
export { type HttpApiOptions, httpRoutes } from './http-api.js';
export { type PolicyAdmin, policyRoutes } from './policy-routes.js';
