import { encodeMessageText } from './message-frame-json.js';
import type { MessageDelivery } from './server-frame.js';

/** The facts of a `history` answer around its messages. */
export interface HistoryBody {
  readonly epoch: string;
  readonly offset: number;
  readonly more: boolean;
  /** false: the page could not be told whole (it is then empty). */
  readonly recovered: boolean;
}

/**
 * The JSON body of a `history` answer (the op's reply body and the HTTP route's response):
 * `{"epoch","offset","messages":[...],"more"}` plus `"recovered":false` when it applies. Each
 * message is the very `message` frame a member receives, spliced in as encodeMessageText writes it
 * (its data is not parsed nor re-stringified).
 */
export function historyBodyText(body: HistoryBody, messages: Iterable<MessageDelivery>): string {
  let text = `{"epoch":${JSON.stringify(body.epoch)},"offset":${body.offset},"messages":[`;
  let first = true;
  for (const message of messages) {
    text += first ? encodeMessageText(message) : `,${encodeMessageText(message)}`;
    first = false;
  }
  text += `],"more":${body.more}`;
  if (!body.recovered) text += ',"recovered":false';
  return `${text}}`;
}

/** An ok `reply` frame around a body built by historyBodyText (history is a JSON-only op). */
export function historyReplyText(ref: string, bodyText: string): string {
  return `{"op":"reply","ref":${JSON.stringify(ref)},"status":"ok","body":${bodyText}}`;
}
