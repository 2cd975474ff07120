import WebSocket from 'ws';
import { BenchError } from './bench-error.js';

interface InspectorMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: {
    readonly sessionId?: string;
    readonly message?: string;
    readonly workerInfo?: { readonly title?: string };
  };
  readonly result?: unknown;
  readonly error?: { readonly message?: string };
}

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: BenchError) => void;
}

/** Something that answers DevTools-protocol calls: a thread's session. */
export interface InspectorTarget {
  readonly title: string;
  call(method: string, params?: object): Promise<unknown>;
}

/** Matches answers to calls by id, for the main session and each worker session alike. */
class CallTable {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  open(send: (id: number) => void): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      send(id);
    });
  }

  settle(message: InspectorMessage): void {
    if (message.id === undefined) return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (message.error === undefined) pending.resolve(message.result);
    else pending.reject(new BenchError('ARQ_ERR_BENCH_SERVER', message.error.message ?? '?'));
  }
}

/**
 * A DevTools-protocol session with a server process started with `--inspect=...:0`: the only way
 * to ask another process for a full GC, or to CPU-profile exactly a measurement window. Worker
 * threads are reached through the NodeWorker domain, each as its own target.
 */
export class InspectorClient implements InspectorTarget {
  readonly #ws: WebSocket;
  readonly #calls = new CallTable();
  readonly #workers = new Map<string, { readonly title: string; readonly calls: CallTable }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => this.#received(JSON.parse(String(data)) as InspectorMessage));
  }

  static connect(url: string): Promise<InspectorClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new InspectorClient(ws)));
      ws.once('error', (cause) =>
        reject(new BenchError('ARQ_ERR_BENCH_SERVER', `inspector at ${url}: ${cause.message}`)),
      );
    });
  }

  get title(): string {
    return 'main thread';
  }

  call(method: string, params: object = {}): Promise<unknown> {
    return this.#calls.open((id) => this.#ws.send(JSON.stringify({ id, method, params })));
  }

  /** A full, compacting GC of the main thread's heap. */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  /** Attaches to the process's worker threads (those running now) and returns their sessions. */
  async workers(): Promise<InspectorTarget[]> {
    await this.call('NodeWorker.enable', { waitForDebuggerOnStart: false });
    // attachedToWorker events for running workers arrive right after enable's answer.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return [...this.#workers].map(([sessionId, worker]) => ({
      title: worker.title,
      call: (method: string, params: object = {}) =>
        worker.calls.open((id) =>
          this.#ws.send(
            JSON.stringify({
              id: 0,
              method: 'NodeWorker.sendMessageToWorker',
              params: { sessionId, message: JSON.stringify({ id, method, params }) },
            }),
          ),
        ),
    }));
  }

  close(): void {
    this.#ws.close();
  }

  #received(message: InspectorMessage): void {
    const sessionId = message.params?.sessionId;
    if (message.method === 'NodeWorker.attachedToWorker' && sessionId !== undefined) {
      const title = message.params?.workerInfo?.title ?? `worker ${this.#workers.size}`;
      this.#workers.set(sessionId, { title, calls: new CallTable() });
    } else if (message.method === 'NodeWorker.receivedMessageFromWorker') {
      const worker = sessionId === undefined ? undefined : this.#workers.get(sessionId);
      if (worker !== undefined && message.params?.message !== undefined)
        worker.calls.settle(JSON.parse(message.params.message) as InspectorMessage);
    } else {
      this.#calls.settle(message);
    }
  }
}
