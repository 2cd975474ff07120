import t from 'tap';
import { DeliveryEncoder, EPOCH_BYTES_CAPACITY } from '../../src/shard/delivery-encoder.js';
import { decodeDelivery } from '../../src/shard/shard-wire.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (view: Uint8Array): string => new TextDecoder().decode(view);

t.test('delivery-encoder - what it encodes decodes to the same facts and body', async (t) => {
  const encoder = new DeliveryEncoder();
  const encoded = encoder.encode(1_700_000_000_123.5, 42.25, 'epoch-a', bytes('{"hi":1}'));
  const decoded = decodeDelivery(encoded);
  t.equal(decoded.ts, 1_700_000_000_123.5);
  t.equal(decoded.ingressTs, 42.25);
  t.equal(decoded.epoch, 'epoch-a');
  t.equal(text(decoded.body), '{"hi":1}');
});

t.test(
  'delivery-encoder - one scratch buffer: a result is valid until the next encode',
  async (t) => {
    const encoder = new DeliveryEncoder();
    const first = encoder.encode(1, 2, 'e1', bytes('first'));
    const copy = first.slice();
    const second = encoder.encode(3, 4, 'e2-longer', bytes('second body'));
    t.equal(first.buffer, second.buffer, 'the same memory, reused');
    t.equal(text(decodeDelivery(copy).body), 'first', 'a copy taken in time keeps the first');
    t.equal(decodeDelivery(second).epoch, 'e2-longer');
    t.equal(text(decodeDelivery(second).body), 'second body');
  },
);

t.test('delivery-encoder - a body larger than the scratch grows it', async (t) => {
  const encoder = new DeliveryEncoder();
  const big = new Uint8Array(100_000).fill(7);
  const decoded = decodeDelivery(encoder.encode(5, 6, 'e', big));
  t.equal(decoded.body.length, 100_000);
  t.ok(decoded.body.every((b) => b === 7));
  t.equal(text(decodeDelivery(encoder.encode(7, 8, 'e', bytes('small'))).body), 'small');
});

t.test('delivery-encoder - many rooms: epochs stay right past the cache capacity', async (t) => {
  const encoder = new DeliveryEncoder();
  for (let i = 0; i <= EPOCH_BYTES_CAPACITY + 1; i++) {
    const epoch = `epoch-${i}`;
    if (decodeDelivery(encoder.encode(i, i, epoch, bytes('x'))).epoch !== epoch) {
      t.fail(`epoch ${i} came back wrong`);
      return;
    }
  }
  t.equal(decodeDelivery(encoder.encode(0, 0, 'epoch-0', bytes('x'))).epoch, 'epoch-0');
});

t.test('delivery-encoder - an epoch over 255 bytes is a protocol error', async (t) => {
  const encoder = new DeliveryEncoder();
  t.throws(() => encoder.encode(1, 1, 'x'.repeat(256), bytes('b')), {
    code: 'ARQ_ERR_SHARD_PROTOCOL',
  });
});
