import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { ClientFrameSchema } from '../index.js';
import type { ClientFrame, PublishFrame, ResumePoint } from './client-frame.js';
import { payloadJsonText } from './payload-json.js';
import { ProtocolError } from './protocol-error.js';

/**
 * A client frame as JSON text, for clients (the SDK, tests): the inverse of `decodeTextFrame`.
 * Publish data must be JSON text (see `client-frame.ts`); raw bytes that are not throw
 * ProtocolError, as JSON frames cannot carry them (send them in a binary frame).
 */
export function encodeClientTextFrame(frame: ClientFrame): string {
  const ref = frame.ref === undefined ? '' : `,"ref":${JSON.stringify(frame.ref)}`;
  switch (frame.op) {
    case 'join':
      return (
        `{"op":"join"${ref},"room":${JSON.stringify(frame.room)}` +
        (frame.meta === undefined ? '' : `,"meta":${JSON.stringify(frame.meta)}`) +
        (frame.since === undefined ? '' : `,"since":${JSON.stringify(frame.since)}`) +
        '}'
      );
    case 'leave':
      return `{"op":"leave"${ref},"room":${JSON.stringify(frame.room)}}`;
    case 'publish':
      return (
        `{"op":"publish"${ref},"room":${JSON.stringify(frame.room)},"data":${publishText(frame)}` +
        (Object.keys(frame.headers).length === 0
          ? ''
          : `,"headers":${JSON.stringify(frame.headers)}`) +
        (frame.echo ? '' : ',"echo":false') +
        '}'
      );
    case 'history':
      return (
        `{"op":"history"${ref},"room":${JSON.stringify(frame.room)}` +
        (frame.since === undefined ? '' : `,"since":${JSON.stringify(frame.since)}`) +
        (frame.before === undefined ? '' : `,"before":{"offset":${frame.before}}`) +
        `,"limit":${frame.limit}}`
      );
    case 'ping':
      return `{"op":"ping"${ref}}`;
    case 'refresh':
      return `{"op":"refresh"${ref},"token":${JSON.stringify(frame.token)}}`;
  }
}

function publishText(frame: PublishFrame): string {
  const text = payloadJsonText(frame.data, frame.dataFormat);
  if (text === undefined)
    throw new ProtocolError(
      'ARQ_ERR_PROTOCOL_ENCODE',
      'publish data is not UTF-8 JSON text; a JSON frame cannot carry it (use a binary frame)',
    );
  return text;
}

/** The protobuf schema has no time resume point yet: `{"ts":..}` goes in JSON frames only. */
function binarySince(since: ResumePoint): { epoch: string; offset: bigint } {
  if ('ts' in since)
    throw new ProtocolError(
      'ARQ_ERR_PROTOCOL_ENCODE',
      'join since {"ts":..} has no protobuf field yet; send this join as a JSON frame',
    );
  return { epoch: since.epoch, offset: BigInt(since.offset) };
}

/** A client frame as a protobuf `arqon.v1.ClientFrame`: the inverse of `decodeBinaryFrame`. */
export function encodeClientBinaryFrame(frame: ClientFrame): Uint8Array {
  const ref = frame.ref ?? '';
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { ref, op: opInit(frame) }));
}

type ClientOpInit = NonNullable<MessageInitShape<typeof ClientFrameSchema>['op']>;

function opInit(frame: ClientFrame): ClientOpInit {
  switch (frame.op) {
    case 'join':
      return {
        case: 'join',
        value: {
          room: frame.room,
          ...(frame.meta === undefined ? {} : { meta: frame.meta }),
          ...(frame.since === undefined ? {} : { since: binarySince(frame.since) }),
        },
      };
    case 'leave':
      return { case: 'leave', value: { room: frame.room } };
    case 'publish':
      return {
        case: 'publish',
        value: {
          room: frame.room,
          data: frame.data,
          headers: { ...frame.headers },
          // absent means true
          ...(frame.echo ? {} : { echo: false }),
        },
      };
    case 'history':
      throw new ProtocolError(
        'ARQ_ERR_PROTOCOL_ENCODE',
        'history has no protobuf form yet; send it as a JSON frame',
      );
    case 'ping':
      return { case: 'ping', value: {} };
    case 'refresh':
      return { case: 'refresh', value: { token: frame.token } };
  }
}
