/**
 * The one owner of uWebSockets.js: which registry build loads for this Node and C library, and
 * the types of the API the edge uses. Nothing else imports a uWS package.
 */
export type {
  HttpRequest,
  HttpResponse,
  TemplatedApp,
  us_listen_socket,
  us_socket,
  us_socket_context_t,
  WebSocket,
  WebSocketBehavior,
} from 'uws-pack';
export { chooseUwsBuild, type UwsChoice } from './choose-uws-build.js';
export { type LoadedUws, loadUws, type UwsModule } from './load-uws.js';
export {
  BTC_VISION_UWS,
  NODE_MAJOR_OF_ABI,
  TRUFFLESUITE_UWS,
  UWS_BUILDS,
  UWS_PACK,
  type UwsBuild,
  type UwsTarget,
} from './uws-builds.js';
export { UwsError, type UwsErrorCode } from './uws-error.js';
export {
  describeRuntime,
  detectUwsRuntime,
  type Libc,
  type UwsRuntime,
  versionAtLeast,
} from './uws-runtime.js';
