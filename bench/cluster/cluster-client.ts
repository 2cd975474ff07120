import { ArqWsConnection, readStampDigits } from '../lib/index.js';

/**
 * Room messages of this bench carry `data: {"t": <sender's hrtime ns>, "n": <sender's node>}`; the
 * byte runs below find both without parsing the frame (tens of thousands of frames per second).
 */
const TIME_MARK = Buffer.from('"data":{"t":');
const NODE_MARK = Buffer.from('"n":');
/** The node field must start within this many bytes of the time stamp (20 digits, a comma, spaces). */
const NODE_SEARCH_BYTES = 28;
const PRESENCE_DIFF_MARK = Buffer.from('"op":"presence_diff"');

export interface ClusterClientHandlers {
  /** A room message: the publisher's send time and node. */
  readonly onDelivery: (sentNs: number, fromNode: number) => void;
  /** Only for a watcher: a presence_diff listed `sub` among its joins. */
  readonly onPresenceJoin: (sub: string) => void;
  readonly onError: (code: string) => void;
  /** The connection closed after its welcome. */
  readonly onClose: (code: number) => void;
}

export interface ClusterClientOptions {
  /** `ws://host:port` of one node (the client adds the path). */
  readonly url: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Parse presence_diff frames (the others skip them unparsed). */
  readonly watchPresence: boolean;
  readonly handlers: ClusterClientHandlers;
}

/** The ArqonBus JSON protocol over a WebSocket (ArqWsConnection), reduced to what the cluster bench needs. */
export class ClusterClient {
  readonly #connection: ArqWsConnection;

  private constructor(connection: ArqWsConnection) {
    this.#connection = connection;
  }

  static async connect(options: ClusterClientOptions): Promise<ClusterClient> {
    const handlers = options.handlers;
    const connection = await ArqWsConnection.connect({
      url: options.url,
      query: `token=${encodeURIComponent(options.token)}`,
      timeoutMs: options.timeoutMs,
      localAddress: null,
      onRaw(data, start, end) {
        const at = data.indexOf(TIME_MARK, start);
        if (at !== -1 && at < end) {
          delivered(handlers, data, at + TIME_MARK.length);
          return true;
        }
        // Only the watcher reads presence diffs; the others skip them unparsed.
        if (options.watchPresence) return false;
        const diff = data.indexOf(PRESENCE_DIFF_MARK, start);
        return diff !== -1 && diff < end;
      },
      onControl(frame) {
        if (frame.op !== 'presence_diff') return;
        for (const sub of Object.keys(frame.joins ?? {})) handlers.onPresenceJoin(sub);
      },
      onError: handlers.onError,
      onClose: handlers.onClose,
    });
    return new ClusterClient(connection);
  }

  /** Sends the join and resolves when the node confirms it. */
  join(room: string): Promise<void> {
    return this.#connection.join(room);
  }

  /** Fire and forget (no `ref`, so no reply frame). */
  publish(room: string, sentNs: number, node: number): void {
    this.#connection.send(
      `{"op":"publish","room":${JSON.stringify(room)},"data":{"t":${sentNs},"n":${node}}}`,
    );
  }

  close(): void {
    this.#connection.close();
  }
}

function delivered(handlers: ClusterClientHandlers, data: Buffer, timeAt: number): void {
  const sentNs = readStampDigits(data, timeAt);
  const nodeMark = data.indexOf(NODE_MARK, timeAt);
  const node =
    nodeMark === -1 || nodeMark - timeAt > NODE_SEARCH_BYTES
      ? -1
      : readStampDigits(data, nodeMark + NODE_MARK.length);
  if (sentNs < 0 || node < 0) {
    handlers.onError('unreadable_stamp');
    return;
  }
  handlers.onDelivery(sentNs, node);
}
