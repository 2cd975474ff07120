// deny-words: a publish whose data has one of the words in any string value is denied. The words
// are the module's config key "words" (comma-separated) if set, else the list below: change it,
// build, push.
import { Config, Host } from '@extism/as-pdk';
import { anyString, findMember } from './lib/json';
import { allow, deny } from './lib/verdict';

export { policyAbort } from './lib/verdict';

const DEFAULT_WORDS = 'darn,heck,frak';

let words: string[] = [];

export function on_publish(): i32 {
  const input = Host.inputString();
  const at = findMember(input, 'data');
  if (at < 0) return allow();
  const configured = Config.get('words');
  words = (configured !== null ? configured : DEFAULT_WORDS).toLowerCase().split(',');
  return anyString(input, at, hasWord) ? deny('the message has a denied word') : allow();
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
