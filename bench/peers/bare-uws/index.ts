export { BareUwsServer } from './bare-uws-server.js';
