/*
 * Worker entry for ring-bench: one producing or consuming thread of one scenario. The same envelope
 * (32-byte header + payload) goes through the SAB ring, through a ThreadChannel, or as a Uint8Array
 * through postMessage on a MessagePort, so the transports are compared on the same bytes.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  ENVELOPE_HEADER_BYTES,
  type EnvelopeHeader,
  EnvelopeKind,
  HEADER_VALUE_OFFSET,
  type RingPair,
  type RingRecord,
  SpscRing,
  ThreadChannel,
} from '../../src/transport/index.js';

export type Transport = 'ring' | 'channel' | 'postMessage';

export type BenchWorkerData =
  | {
      readonly role: 'producer';
      readonly transport: Transport;
      readonly ring: SharedArrayBuffer | null;
      readonly pair: RingPair | null;
      readonly port: MessagePort | null;
      readonly count: number;
      readonly payloadBytes: number;
      /** Envelopes per second, or 0 for as fast as the transport takes them. */
      readonly rate: number;
    }
  | {
      readonly role: 'consumer';
      readonly transport: Transport;
      readonly ring: SharedArrayBuffer | null;
      readonly pair: RingPair | null;
      readonly port: MessagePort | null;
      readonly count: number;
      /** 'sleep': waits with Atomics.waitAsync / port events, as in production; 'spin': polls. */
      readonly wait: 'sleep' | 'spin';
      readonly latency: boolean;
    };

export type BenchReport =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly at: bigint }
  | {
      readonly type: 'received';
      readonly at: bigint;
      readonly count: number;
      readonly checksum: number;
      /** Nanoseconds from send to receive, one per envelope (latency runs only). */
      readonly latencies: Float64Array | null;
    };

export type BenchCommand = { readonly type: 'go' };

const data = workerData as BenchWorkerData;
const port = parentPort!;
const report = (message: BenchReport): void => port.postMessage(message);
const now = (): number => Number(process.hrtime.bigint());

/** Paces a producer at `rate`/s: sleeps in Atomics.wait when far from the next slot, spins when near. */
function pacer(rate: number): () => void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const interval = 1e9 / rate;
  let next = now();
  return () => {
    next += interval;
    for (;;) {
      const left = next - now();
      if (left <= 0) return;
      if (left > 150_000) Atomics.wait(sleeper, 0, 0, (left - 100_000) / 1e6);
    }
  };
}

async function produce(d: Extract<BenchWorkerData, { role: 'producer' }>): Promise<void> {
  const payload = new Uint8Array(d.payloadBytes).fill(7);
  const header = {
    kind: EnvelopeKind.Delivery as EnvelopeKind,
    flags: 0,
    connId: 1,
    roomId: 2,
    correlationId: 0,
    value: 0,
  };
  const key = new Uint8Array(0);
  const pace = d.rate > 0 ? pacer(d.rate) : null;
  report({ type: 'started', at: process.hrtime.bigint() });
  if (d.transport === 'ring') {
    const producer = new SpscRing(d.ring!).producer();
    for (let i = 0; i < d.count; i++) {
      if (pace !== null) {
        pace();
        header.value = now();
      }
      header.correlationId = i;
      while (!producer.tryWrite(header, key, payload)) await producer.waitForSpace();
      if (pace !== null || (i & 255) === 255) producer.flush();
    }
    producer.flush();
  } else if (d.transport === 'channel') {
    const channel = ThreadChannel.open(d.pair!, 'edge');
    for (let i = 0; i < d.count; i++) {
      if (pace !== null) {
        pace();
        header.value = now();
      }
      header.correlationId = i;
      channel.send(header as EnvelopeHeader, key, payload);
      // Saturated: a bulk sender that waits whenever the ring is full (its queue is not empty), and
      // yields a turn per 1024 sends; paced: one turn per envelope, as a server would.
      if (pace !== null) await nextTurn();
      else if (channel.queuedCount > 0) await channel.drained();
      else if ((i & 1023) === 1023) await nextTurn();
    }
    await channel.drained();
  } else {
    const out = d.port!;
    const bytes = new Uint8Array(ENVELOPE_HEADER_BYTES + d.payloadBytes);
    bytes.set(payload, ENVELOPE_HEADER_BYTES);
    const value = new Float64Array(bytes.buffer, HEADER_VALUE_OFFSET, 1);
    for (let i = 0; i < d.count; i++) {
      if (pace !== null) {
        pace();
        value[0] = now();
      }
      out.postMessage(bytes);
      // postMessage has no backpressure: yield now and then so the port can move messages out.
      if (pace === null && (i & 1023) === 1023) await nextTurn();
    }
  }
}

async function consume(d: Extract<BenchWorkerData, { role: 'consumer' }>): Promise<void> {
  const latencies = d.latency ? new Float64Array(d.count) : null;
  let received = 0;
  let checksum = 0;
  const finish = (): void => {
    report({ type: 'received', at: process.hrtime.bigint(), count: received, checksum, latencies });
  };
  if (d.transport === 'postMessage') {
    const input = d.port!;
    await new Promise<void>((resolve) => {
      input.on('message', (bytes: Uint8Array) => {
        if (latencies !== null) {
          latencies[received] = now() - new Float64Array(bytes.buffer, HEADER_VALUE_OFFSET, 1)[0]!;
        }
        checksum += bytes.length + bytes[ENVELOPE_HEADER_BYTES]!;
        if (++received === d.count) {
          input.close();
          resolve();
        }
      });
    });
    finish();
    return;
  }
  // The handler gets the payload as a Uint8Array, as a postMessage receiver does.
  const handler = (record: RingRecord): void => {
    if (latencies !== null) latencies[received] = now() - record.value;
    const payload = record.payload;
    checksum += ENVELOPE_HEADER_BYTES + payload.length + payload[0]!;
    received++;
  };
  if (d.transport === 'channel') {
    const channel = ThreadChannel.open(d.pair!, 'shard');
    await new Promise<void>((resolve, reject) => {
      channel
        .receive((record) => {
          handler(record);
          if (received === d.count) {
            channel.close();
            resolve();
          }
        })
        .catch(reject);
    });
    finish();
    return;
  }
  const consumer = new SpscRing(d.ring!).consumer();
  while (received < d.count) {
    if (consumer.drain(handler, 4096) === 0 && d.wait === 'sleep') await consumer.waitForData();
  }
  finish();
}

if (data.role === 'producer') {
  port.once('message', (command: BenchCommand) => {
    if (command.type === 'go') void produce(data);
  });
  report({ type: 'ready' });
} else {
  report({ type: 'ready' });
  await consume(data);
}
