// deny-words: a publish whose data has one of the words in any string value is denied. The words
// are the module's config key "words" (comma-separated) if set, else the list below: change it,
// build, push.
import { Config, Host } from '@extism/as-pdk';
import { anyString, findMember } from './lib/json';
import { ALLOW, batchOutput, denyText, output } from './lib/verdict';

export { policyAbort } from './lib/verdict';

const DEFAULT_WORDS = 'darn,heck,frak';

let words: string[] = [];

export function on_publish(): i32 {
  loadWords();
  return output(decide(Host.inputString()));
}

/** The same over several messages in one call (one Extism call instead of one per message). */
export function on_publish_batch(): i32 {
  loadWords();
  return batchOutput(Host.inputString(), decide);
}

function loadWords(): void {
  const configured = Config.get('words');
  words = (configured !== null ? configured : DEFAULT_WORDS).toLowerCase().split(',');
}

/** One on_publish input's verdict. */
function decide(input: string): string {
  const at = findMember(input, 'data');
  if (at < 0) return ALLOW;
  return anyString(input, at, hasWord) ? denyText('the message has a denied word') : ALLOW;
}

function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c > 0x7f;
}

/** True when `value` has one of the words as a whole word, ignoring case. */
function hasWord(value: string): bool {
  const s = value.toLowerCase();
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && isWordChar(s.charCodeAt(i))) continue;
    if (i > start && words.includes(s.substring(start, i))) return true;
    start = i + 1;
  }
  return false;
}
