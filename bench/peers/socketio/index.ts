export { SocketIoPeerServer } from './socket-io-peer-server.js';
