import { type PublishFrame, toWireError, WireError } from '../../proto/wire/index.js';
import { TokenBucket } from '../limits/index.js';
import type { ConnectionHost } from './connection-host.js';
import type { ConnectionOutput } from './connection-output.js';
import { authorizedRoomKey, type ConnectionPrincipal } from './connection-principal.js';
import { encodePublishPayload, encodeSender } from './publish-payload.js';

/**
 * The publishes of one connection, the hot path: it keeps what repeats from one publish to the
 * next, so a publish allocates its payload and (only when answered) its callback, nothing more.
 * Made on a connection's first publish (an idle or read-only connection holds none).
 */
export class ConnectionPublisher {
  readonly #connId: number;
  readonly #host: ConnectionHost;
  readonly #output: ConnectionOutput;
  /** Made on the first publish that gets this far: a new bucket is full, as an early one would be. */
  #bucket: TokenBucket | null = null;
  /**
   * The room this connection last published to, as the frame named it, and its key: a publisher
   * usually sends to one room, which is then authorized once, not per publish.
   */
  #room: string | null = null;
  #roomKey = '';
  /** The `sub` as publish payloads carry it, encoded on the first publish. */
  #sender: Uint8Array | null = null;

  constructor(connId: number, host: ConnectionHost, output: ConnectionOutput) {
    this.#connId = connId;
    this.#host = host;
    this.#output = output;
  }

  /** The token changed: the next publish authorizes its room again. */
  forgetRoom(): void {
    this.#room = null;
  }

  /** Sends one publish to its room; throws the wire error of a publish refused here. */
  publish(frame: PublishFrame, principal: ConnectionPrincipal, nowMs: number): void {
    let roomKey = this.#roomKey;
    if (frame.room !== this.#room) {
      roomKey = authorizedRoomKey(principal, frame.room, true);
      this.#room = frame.room;
      this.#roomKey = roomKey;
    }
    if (!principal.caps.has('publish'))
      throw new WireError('forbidden', 'the token lacks the publish capability');
    const host = this.#host;
    const limits = host.limits;
    this.#bucket ??= new TokenBucket(limits.publishRate, limits.publishBurst, nowMs);
    if (!this.#bucket.tryTake(nowMs))
      throw new WireError('rate_limited', 'connection publish rate exceeded');
    if (!host.tenantMayPublish(principal.tenant, nowMs)) {
      this.#bucket.refund();
      throw new WireError('rate_limited', 'tenant publish rate exceeded');
    }
    this.#sender ??= encodeSender(principal.sub);
    const payload = encodePublishPayload(this.#sender, frame.headers, frame.dataFormat, frame.data);
    const encoding = this.#output.encoding;
    const ref = frame.ref;
    // Without a ref nothing is answered, so the room is not asked to answer either: one ring
    // record less per publish each way. Unless a policy may deny it: the sender learns of a deny
    // by an `error` frame (and a disconnect verdict must reach this connection).
    const guarded = host.policy.guards('on_publish', principal.tenant);
    if (ref === undefined && !guarded) {
      host.rooms.publish(roomKey, this.#connId, payload, frame.echo, nowMs, null);
      return;
    }
    // The callback reads through `this` so that it captures what it did inline in the actor (this,
    // ref, encoding): the same per-publish context, no larger.
    host.rooms.publish(roomKey, this.#connId, payload, frame.echo, nowMs, (error, reply) => {
      const out = this.#output;
      if (out.detached) return;
      if (error !== null && this.#host.policy.disconnects(error)) {
        out.deny(ref, toWireError(error).message, true, encoding);
      } else if (error !== null || reply === null) {
        if (ref !== undefined || error !== null) out.reject(ref, toWireError(error), encoding);
      } else if (ref !== undefined)
        out.send(
          { op: 'reply', ref, status: 'ok', body: { id: reply.id, offset: reply.offset } },
          encoding,
        );
    });
  }
}
