import { fromBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ClientFrameSchema, type ClientFrame as PbClientFrame } from '../index.js';
import type { ClientFrame, ResumePoint } from './client-frame.js';
import { type DecodeResult, decodeFailure } from './decode-result.js';
import {
  readHeaders,
  readMeta,
  readRef,
  readRoom,
  readToken,
  resumePoint,
} from './frame-fields.js';
import { INTERNAL_ERROR_MESSAGE } from './to-wire-error.js';
import { WireError } from './wire-error.js';

/** Field numbers of arqon.v1.ClientFrame: `ref`, and the first of the `op` oneof. */
const REF_FIELD = 1;
const FIRST_OP_FIELD = 10;

/** Decodes a protobuf `arqon.v1.ClientFrame`. Never throws (see `DecodeResult`). */
export function decodeBinaryFrame(bytes: Uint8Array): DecodeResult {
  let msg: PbClientFrame;
  try {
    msg = fromBinary(ClientFrameSchema, bytes);
  } catch (err) {
    const reason = err instanceof Error ? `: ${err.message}` : '';
    return decodeFailure(
      'bad_frame',
      `binary frame is not a valid arqon.v1.ClientFrame${reason}`,
      peekRef(bytes),
      err,
    );
  }
  let ref: string | undefined;
  try {
    // proto3 cannot tell "" from absent
    ref = readRef(msg.ref === '' ? undefined : msg.ref);
    const frame = readFrame(msg, ref);
    return frame === undefined ? noOp(msg, ref) : { ok: true, frame };
  } catch (err) {
    if (err instanceof WireError)
      return { ok: false, ...(ref === undefined ? {} : { ref }), error: err };
    return decodeFailure('internal', INTERNAL_ERROR_MESSAGE, ref, err);
  }
}

function readFrame(msg: PbClientFrame, ref: string | undefined): ClientFrame | undefined {
  const withRef = ref === undefined ? {} : { ref };
  const op = msg.op;
  switch (op.case) {
    case 'join': {
      const room = readRoom('join', op.value.room);
      const meta = readMeta(op.value.meta);
      const since = readSince(op.value.since);
      return {
        op: 'join',
        ...withRef,
        room,
        ...(meta === undefined ? {} : { meta }),
        ...(since === undefined ? {} : { since }),
      };
    }
    case 'leave':
      return { op: 'leave', ...withRef, room: readRoom('leave', op.value.room) };
    case 'publish': {
      const room = readRoom('publish', op.value.room);
      const headers = readHeaders(op.value.headers);
      return {
        op: 'publish',
        ...withRef,
        room,
        // protobuf-es hands out a view into the input, which uWS reuses after the handler returns
        data: op.value.data.slice(),
        dataFormat: 'raw',
        headers,
        echo: op.value.echo ?? true,
      };
    }
    case 'ping':
      return { op: 'ping', ...withRef };
    case 'refresh':
      return { op: 'refresh', ...withRef, token: readToken(op.value.token) };
    default:
      return undefined;
  }
}

function readSince(since: { epoch: string; offset: bigint } | undefined): ResumePoint | undefined {
  if (since === undefined) return undefined;
  const offset = since.offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(since.offset) : Infinity;
  return resumePoint(since.epoch, offset);
}

/** No known op: an unknown field in the op range is a newer client's op, else the op is missing. */
function noOp(msg: PbClientFrame, ref: string | undefined): DecodeResult {
  const unknownOp = msg.$unknown?.find((f) => f.no >= FIRST_OP_FIELD);
  return unknownOp === undefined
    ? decodeFailure('bad_frame', 'frame has no op', ref)
    : decodeFailure('unknown_op', `unknown op (field ${unknownOp.no})`, ref);
}

/**
 * Reads `ref` from a frame that failed to parse as a whole, so the error can still be a reply.
 * Walks top-level fields until `ref` or the first broken field.
 */
function peekRef(bytes: Uint8Array): string | undefined {
  let ref: string | undefined;
  try {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [no, wireType] = reader.tag();
      if (no === REF_FIELD && wireType === WireType.LengthDelimited) ref = reader.string(true);
      else reader.skip(wireType, no);
    }
  } catch {
    // keep what was read before the break
  }
  try {
    return readRef(ref === '' ? undefined : ref);
  } catch {
    return undefined;
  }
}
