import { ArqWsConnection, readStampDigits } from './arq-ws-connection.js';
import type { BenchClient, BenchClientOptions } from './bench-client.js';

/** Room messages from ArqonBus and the bare uWS peer both hold this byte run; nothing else does. */
const DATA_MARK = Buffer.from('"data":{"t":');
/** Right after the stamp's digits. */
const SEQ_MARK = Buffer.from(',"s":');

/** The ArqonBus JSON protocol over a WebSocket (ArqWsConnection), lean enough for tens of thousands per process. */
export class JsonWsClient implements BenchClient {
  readonly #connection: ArqWsConnection;

  private constructor(connection: ArqWsConnection) {
    this.#connection = connection;
  }

  static async connect(options: BenchClientOptions): Promise<JsonWsClient> {
    const handlers = options.handlers;
    const connection = await ArqWsConnection.connect({
      url: options.url,
      query:
        options.token === null
          ? `sub=${encodeURIComponent(options.sub)}`
          : `token=${encodeURIComponent(options.token)}`,
      timeoutMs: options.timeoutMs,
      localAddress: options.localAddress,
      onRaw(data, start, end) {
        const at = data.indexOf(DATA_MARK, start);
        if (at === -1 || at >= end) return false;
        const stampAt = at + DATA_MARK.length;
        const sentNs = readStampDigits(data, stampAt);
        if (sentNs < 0) {
          handlers.onError('unreadable_stamp');
          return true;
        }
        const seqAt = stampAt + String(sentNs).length;
        const seq =
          data.compare(SEQ_MARK, 0, SEQ_MARK.length, seqAt, seqAt + SEQ_MARK.length) === 0
            ? readStampDigits(data, seqAt + SEQ_MARK.length)
            : -1;
        handlers.onDelivery(sentNs, seq);
        return true;
      },
      onControl() {},
      onError: handlers.onError,
      onClose: (code) => handlers.onClose(String(code)),
    });
    return new JsonWsClient(connection);
  }

  join(room: string): Promise<void> {
    return this.#connection.join(room);
  }

  publish(room: string, sentNs: number, seq: number, textJson: string | null): void {
    const text = textJson === null ? '' : `,"text":${textJson}`;
    this.#connection.send(
      `{"op":"publish","room":${JSON.stringify(room)},"data":{"t":${sentNs},"s":${seq}${text}}}`,
    );
  }

  close(): void {
    this.#connection.close();
  }
}
