export type RoomErrorCode = 'ARQ_ERR_ROOM_OPTIONS' | 'ARQ_ERR_ROOM_STOPPED' | 'ARQ_ERR_NOT_JOINED';

export class RoomError extends Error {
  readonly code: RoomErrorCode;
  constructor(code: RoomErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RoomError';
    this.code = code;
  }
}
