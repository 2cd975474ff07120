import type { ActorAddress, ActorRef, ThreadAddress } from './actor-ref.js';
import type { DownReason, MonitorId } from './system-message.js';

/**
 * Where the answer to an ask goes: the asking system (actor id 0 of its thread) and the ask's
 * correlation id. Plain data, so it can travel with a message and be answered from anywhere.
 */
export interface ReplyTarget {
  readonly to: ActorAddress;
  readonly correlationId: number;
}

/** The answer to an ask. Failures carry a code, not an Error object, so any transport can carry them. */
export type AskOutcome =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly code: 'ARQ_ERR_NO_PROC' | 'ARQ_ERR_MAILBOX_FULL';
      readonly reason: DownReason | null;
    };

/**
 * Everything one actor system says to another. `to` is always the destination (the transport routes
 * on `to.node` and `to.thread`); message bodies are opaque here and serialised by the transport.
 * Reasons that carry errors are made portable (see portable-error.ts) before they are sent.
 */
export type RemoteEnvelope =
  | {
      readonly type: 'tell';
      readonly to: ActorAddress;
      readonly from: ActorRef | null;
      readonly message: unknown;
    }
  | {
      readonly type: 'ask';
      readonly to: ActorAddress;
      readonly replyTo: ActorAddress;
      readonly correlationId: number;
      readonly message: unknown;
    }
  | {
      readonly type: 'reply';
      readonly to: ActorAddress;
      readonly correlationId: number;
      readonly outcome: AskOutcome;
    }
  | {
      readonly type: 'monitor' | 'demonitor';
      readonly to: ActorAddress;
      readonly from: ActorRef;
      readonly monitor: MonitorId;
    }
  | {
      readonly type: 'down';
      readonly to: ActorAddress;
      readonly from: ActorRef;
      readonly monitor: MonitorId;
      readonly reason: DownReason;
    }
  | { readonly type: 'link' | 'unlink'; readonly to: ActorAddress; readonly from: ActorRef }
  | {
      readonly type: 'exit';
      readonly to: ActorAddress;
      readonly from: ActorRef;
      readonly reason: DownReason;
    }
  | { readonly type: 'overflow'; readonly to: ActorAddress; readonly from: ActorRef };

/** What a transport hands incoming traffic to: an ActorSystem. */
export interface RemoteSink extends ThreadAddress {
  deliverRemote(envelope: RemoteEnvelope): void;
  /** The peer thread (or node) is unreachable: its monitors and links fire with `noconnection`. */
  remoteDown(peer: ThreadAddress): void;
}

/**
 * Carries envelopes to other threads or nodes. `send` throws when the target is unreachable.
 * `attach` is called once by the ActorSystem it is given to, with that system as the sink.
 */
export interface RemoteTransport {
  send(target: ActorAddress, envelope: RemoteEnvelope): void;
  attach?(sink: RemoteSink): void;
}
