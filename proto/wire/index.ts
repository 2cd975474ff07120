// The wire contract of protocol v1 (docs/protocol.md): frames, their codecs, error and close codes,
// shared by the node, the actors, the client SDK and the benches. Pure functions over strings and
// bytes, no sockets; it sits below actors/ so that every arrow to it points down (ARCHITECTURE.md).
export type { JsonObject, JsonValue } from '@bufbuild/protobuf';
export {
  CLIENT_OPS,
  type ClientFrame,
  type ClientOp,
  type DataFormat,
  type HistoryFrame,
  type JoinFrame,
  JSON_ONLY_OPS,
  type LeaveFrame,
  type PingFrame,
  type PublishFrame,
  type RefreshFrame,
  type ResumePoint,
} from './client-frame.js';
export {
  CLOSE_DRAINING,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_POLICY_DROP,
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  type CloseCode,
} from './close-code.js';
export { decodeBinaryFrame } from './decode-binary-frame.js';
export type { DecodeResult } from './decode-result.js';
export { decodeTextFrame, decodeTextFrameBytes } from './decode-text-frame.js';
export { encodeClientBinaryFrame, encodeClientTextFrame } from './encode-client-frame.js';
export { encodeBinaryFrame, encodeTextFrame } from './encode-server-frame.js';
export {
  DATA_ENCODING_HEADER,
  DEFAULT_HISTORY_LIMIT,
  MAX_HEADER_NAME_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_HEADERS,
  MAX_HISTORY_LIMIT,
  MAX_META_DEPTH,
  MAX_REF_LENGTH,
  MAX_TOKEN_LENGTH,
  RESERVED_HEADER_PREFIX,
} from './frame-limits.js';
export { type HistoryBody, historyBodyText, historyReplyText } from './history-body.js';
export { httpErrorBody } from './http-error-body.js';
export { EncodedMessage, encodeMessageFrame } from './message-frame.js';
export { ProtocolError, type ProtocolErrorCode } from './protocol-error.js';
export { isValidRoomName, MAX_ROOM_NAME_LENGTH, ROOM_NAME_RE } from './room-name.js';
export {
  errorAnswer,
  type FrameEncoding,
  type MessageDelivery,
  type MessageFrame,
  type PresenceDiffFrame,
  type PresenceEntry,
  type PresenceStateFrame,
  type Presences,
  type ReplyErrorFrame,
  type ReplyFrame,
  type ReplyOkFrame,
  replyOk,
  SERVER_OPS,
  type ServerErrorFrame,
  type ServerFrame,
  type ServerOp,
  type WelcomeFrame,
} from './server-frame.js';
export {
  INTERNAL_ERROR_MESSAGE,
  toWireError,
  WIRE_ERROR_TABLE,
  type WireErrorRule,
} from './to-wire-error.js';
export {
  isWireErrorCode,
  WIRE_ERROR_CODES,
  WireError,
  type WireErrorBody,
  type WireErrorCode,
} from './wire-error.js';
