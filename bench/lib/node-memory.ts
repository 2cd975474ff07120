import { BenchError } from './bench-error.js';

/** Where a node's memory goes, from its own /metrics (prom-client's default process metrics). */
export interface NodeMemory {
  /** V8 heap in use (JavaScript objects). */
  readonly heapUsedBytes: number;
  /** Memory of JavaScript objects held outside the heap (Buffers, ArrayBuffers). */
  readonly externalBytes: number;
}

const HEAP_USED = /^arq_nodejs_heap_size_used_bytes\{[^}]*\} (\d+(?:\.\d+)?)$/m;
const EXTERNAL = /^arq_nodejs_external_memory_bytes\{[^}]*\} (\d+(?:\.\d+)?)$/m;

/**
 * Reads an ArqonBus node's heap figures, so that RSS can be split into what JavaScript holds and
 * what native code (uWS's socket buffers, malloc) does.
 */
export async function readNodeMemory(host: string, port: number): Promise<NodeMemory> {
  let text: string;
  try {
    const response = await fetch(`http://${host}:${port}/metrics`);
    text = await response.text();
  } catch (cause) {
    throw new BenchError('ARQ_ERR_BENCH_SERVER', `cannot read /metrics of ${host}:${port}`, {
      cause,
    });
  }
  const heap = HEAP_USED.exec(text)?.[1];
  const external = EXTERNAL.exec(text)?.[1];
  if (heap === undefined || external === undefined) {
    throw new BenchError('ARQ_ERR_BENCH_SERVER', `no heap figures in /metrics of ${host}:${port}`);
  }
  return { heapUsedBytes: Number(heap), externalBytes: Number(external) };
}
