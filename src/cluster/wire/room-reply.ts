import { create, toBinary } from '@bufbuild/protobuf';
import type { HistoryAnswer } from '../../../actors/index.js';
import { EnvelopeSchema, EnvelopeKind as WireKind } from '../../../proto/index.js';
import { quote } from '../base/index.js';
import { decodeHistoryEntries, encodeHistoryEntries } from './history-wire.js';
import {
  decodeRoomEnvelope,
  H_ERROR,
  H_MESSAGE,
  H_MORE,
  H_OP,
  H_RECOVERED,
  malformed,
  OP_HISTORY,
  offsetOf,
  text,
} from './room-envelope.js';
import { type RoomRouteErrorCode, routeCodeOf } from './room-route-error.js';

/** The owner's answer to a RoomRequest (`reply` in room-envelope.ts's table). */
export type RoomReply =
  | {
      readonly type: 'joined';
      readonly epoch: string;
      readonly offset: number;
      readonly recovered: boolean;
    }
  | { readonly type: 'left' }
  | { readonly type: 'published'; readonly id: string; readonly offset: number }
  | { readonly type: 'history'; readonly answer: HistoryAnswer }
  | { readonly type: 'failed'; readonly code: RoomRouteErrorCode; readonly message: string };

export function encodeRoomReply(reply: RoomReply): Uint8Array {
  switch (reply.type) {
    case 'joined':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.JOIN,
          epoch: reply.epoch,
          offset: BigInt(reply.offset),
          headers: reply.recovered ? {} : { [H_RECOVERED]: 'false' },
        }),
      );
    case 'left':
      return toBinary(EnvelopeSchema, create(EnvelopeSchema, { kind: WireKind.LEAVE }));
    case 'published':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.PUBLISH,
          id: reply.id,
          offset: BigInt(reply.offset),
        }),
      );
    case 'history': {
      const { answer } = reply;
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.CONTROL,
          epoch: answer.epoch,
          offset: BigInt(answer.offset),
          headers: {
            [H_OP]: OP_HISTORY,
            [H_MORE]: answer.more ? '1' : '0',
            ...(answer.recovered ? {} : { [H_RECOVERED]: 'false' }),
          },
          payload: encodeHistoryEntries(answer.entries),
        }),
      );
    }
    case 'failed':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.CONTROL,
          headers: { [H_ERROR]: reply.code, [H_MESSAGE]: reply.message },
        }),
      );
  }
}

export function decodeRoomReply(data: Uint8Array): RoomReply {
  const env = decodeRoomEnvelope(data, 'room reply');
  switch (env.kind) {
    case WireKind.JOIN:
      return {
        type: 'joined',
        epoch: text(env.epoch, 'epoch'),
        offset: offsetOf(env.offset),
        recovered: env.headers[H_RECOVERED] !== 'false',
      };
    case WireKind.LEAVE:
      return { type: 'left' };
    case WireKind.PUBLISH:
      return { type: 'published', id: text(env.id, 'id'), offset: offsetOf(env.offset) };
    case WireKind.CONTROL:
      if (env.headers[H_OP] === OP_HISTORY)
        return {
          type: 'history',
          answer: {
            epoch: text(env.epoch, 'epoch'),
            offset: offsetOf(env.offset),
            entries: decodeHistoryEntries(env.payload),
            more: env.headers[H_MORE] === '1',
            recovered: env.headers[H_RECOVERED] !== 'false',
          },
        };
      return {
        type: 'failed',
        code: routeCodeOf(env.headers[H_ERROR]),
        message: env.headers[H_MESSAGE] ?? '',
      };
    default:
      throw malformed(`room reply of kind ${quote(env.kind)}`);
  }
}
