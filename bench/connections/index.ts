export {
  CONNECTIONS_PER_GENERATOR,
  type ConnectionsCaseOptions,
  type ConnectionsResult,
  ROOM_SIZE,
  runConnectionsCase,
} from './connections-case.js';
export type { ConnectionsCommand, ConnectionsReport } from './connections-messages.js';
export {
  connectionsTable,
  connectionsVerdict,
  kibPerConnection,
  kibPerConnectionAfterGc,
  TARGET_KIB_PER_CONNECTION,
} from './connections-report.js';
