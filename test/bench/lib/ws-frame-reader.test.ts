import t from 'tap';
import {
  type FrameStreamFault,
  OPCODE_BINARY,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_TEXT,
  WsFrameReader,
} from '../../../bench/lib/index.js';

/** An unmasked (server) frame: FIN, `opcode`, the shortest length encoding, the payload. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.concat([Buffer.from([first, length]), payload]);
  if (length < 0x1_0000) {
    const header = Buffer.from([first, 126, 0, 0]);
    header.writeUInt16BE(length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeUInt32BE(0, 2);
  header.writeUInt32BE(length, 6);
  return Buffer.concat([header, payload]);
}

interface Seen {
  readonly opcode: number;
  readonly payload: string;
}

function reader(): { reader: WsFrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const r = new WsFrameReader((opcode, chunk, start, end) => {
    seen.push({ opcode, payload: chunk.toString('latin1', start, end) });
  });
  return { reader: r, seen };
}

const PAYLOADS = [
  Buffer.alloc(0),
  Buffer.from('{"op":"welcome"}'),
  Buffer.alloc(125, 'a'),
  Buffer.alloc(126, 'b'),
  Buffer.alloc(0xffff, 'c'),
  Buffer.alloc(0x1_0000, 'd'),
  Buffer.alloc(70_000, 'e'),
];

t.test('ws frame reader - every length encoding, frames back to back in one chunk', async (t) => {
  const { reader: r, seen } = reader();
  const stream = Buffer.concat(
    PAYLOADS.map((p, i) => serverFrame(i % 2 ? OPCODE_BINARY : OPCODE_TEXT, p)),
  );
  t.equal(r.push(stream), null);
  t.same(
    seen,
    PAYLOADS.map((p, i) => ({
      opcode: i % 2 ? OPCODE_BINARY : OPCODE_TEXT,
      payload: p.toString('latin1'),
    })),
  );
});

t.test('ws frame reader - a stream cut at every byte gives the same frames', async (t) => {
  const frames = [
    serverFrame(OPCODE_TEXT, Buffer.from('{"op":"message","data":{"t":1}}')),
    serverFrame(OPCODE_PING, Buffer.from('p')),
    serverFrame(OPCODE_TEXT, Buffer.alloc(300, 'x')),
    serverFrame(OPCODE_BINARY, Buffer.alloc(0)),
  ];
  const stream = Buffer.concat(frames);
  const whole = reader();
  whole.reader.push(stream);
  for (let cut = 1; cut < stream.length; cut++) {
    const { reader: r, seen } = reader();
    t.equal(r.push(stream.subarray(0, cut)), null);
    t.equal(r.push(stream.subarray(cut)), null);
    if (seen.length !== whole.seen.length || JSON.stringify(seen) !== JSON.stringify(whole.seen)) {
      t.fail(`cut at byte ${cut}: ${JSON.stringify(seen)}`);
      return;
    }
  }
  t.equal(whole.seen.length, 4);
  // One byte at a time too.
  const { reader: r, seen } = reader();
  for (const byte of stream) r.push(Buffer.from([byte]));
  t.same(seen, whole.seen);
});

t.test('ws frame reader - what a server may not send ends reading with a fault', async (t) => {
  const cases: [string, Buffer, FrameStreamFault][] = [
    ['masked', Buffer.from([0x81, 0x80 | 1, 1, 2, 3, 4, 0x61]), 'masked_server_frame'],
    ['not final', serverFrame(OPCODE_TEXT, Buffer.from('a'), false), 'fragmented_frame'],
    ['continuation', serverFrame(OPCODE_CONTINUATION, Buffer.from('a')), 'fragmented_frame'],
    [
      'over 2^53 bytes',
      Buffer.from([0x82, 127, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      'frame_too_large',
    ],
  ];
  for (const [what, bytes, fault] of cases) {
    const { reader: r, seen } = reader();
    const good = serverFrame(OPCODE_TEXT, Buffer.from('ok'));
    t.equal(r.push(Buffer.concat([good, bytes])), fault, what);
    t.same(seen, [{ opcode: OPCODE_TEXT, payload: 'ok' }], `${what}: the frame before it is read`);
  }
});

t.test(
  'ws frame reader - a 1 MB frame in 64 KiB reads, then the frames sharing its last read',
  async (t) => {
    const { reader: r, seen } = reader();
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
    const after = Buffer.from('{"op":"presence_diff"}');
    const stream = Buffer.concat([serverFrame(OPCODE_TEXT, big), serverFrame(OPCODE_TEXT, after)]);
    // Reads cut anywhere: inside the extended length, then in 64 KiB steps through the payload.
    const cuts = [
      1,
      5,
      ...Array.from({ length: 16 }, (_, i) => 10 + (i + 1) * 65_536),
      stream.length,
    ];
    let from = 0;
    for (const cut of cuts) {
      t.equal(r.push(stream.subarray(from, Math.min(cut, stream.length))), null);
      if (cut < stream.length - after.length - 2)
        t.equal(seen.length, 0, 'nothing before the frame is whole');
      from = Math.min(cut, stream.length);
    }
    t.equal(seen.length, 2);
    t.equal(seen[0]?.payload, big.toString('latin1'));
    t.equal(seen[1]?.payload, after.toString('latin1'));
  },
);
