import { encodeMessageBinary } from './message-frame-binary.js';
import { encodeMessageText } from './message-frame-json.js';
import type { FrameEncoding, MessageDelivery } from './server-frame.js';

/** Encodes a room message as a `message` frame: JSON text or protobuf bytes. */
export function encodeMessageFrame(delivery: MessageDelivery, encoding: 'json'): string;
export function encodeMessageFrame(delivery: MessageDelivery, encoding: 'binary'): Uint8Array;
export function encodeMessageFrame(
  delivery: MessageDelivery,
  encoding: FrameEncoding,
): string | Uint8Array;
export function encodeMessageFrame(
  delivery: MessageDelivery,
  encoding: FrameEncoding,
): string | Uint8Array {
  return encoding === 'json' ? encodeMessageText(delivery) : encodeMessageBinary(delivery);
}

/**
 * One delivery's `message` frame, encoded at most once per encoding and only when first asked for:
 * the edge makes one per delivery and sends `text` / `binary` to every local member (or publishes
 * each once to a uWS topic), so fan-out to N sockets costs at most two encodings, not N.
 */
export class EncodedMessage {
  readonly #delivery: MessageDelivery;
  #text: string | undefined;
  #binary: Uint8Array | undefined;

  constructor(delivery: MessageDelivery) {
    this.#delivery = delivery;
  }

  get delivery(): MessageDelivery {
    return this.#delivery;
  }

  /** The JSON frame (a string: uWS sends it as a text frame). */
  get text(): string {
    this.#text ??= encodeMessageText(this.#delivery);
    return this.#text;
  }

  /** The protobuf frame. Shared by every send: callers must not modify it. */
  get binary(): Uint8Array {
    this.#binary ??= encodeMessageBinary(this.#delivery);
    return this.#binary;
  }

  encoded(encoding: FrameEncoding): string | Uint8Array {
    return encoding === 'json' ? this.text : this.binary;
  }
}
