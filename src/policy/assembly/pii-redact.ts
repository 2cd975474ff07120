// pii-redact: e-mail addresses, phone numbers and payment card numbers in the string values of a
// message's data become "[redacted]"; the message is delivered and stored rewritten.
import { Host } from '@extism/as-pdk';
import { findMember, mapStrings } from './lib/json';
import { ALLOW, batchOutput, output, rewriteText } from './lib/verdict';

export { policyAbort } from './lib/verdict';

const REDACTED = '[redacted]';
/** Fewer digits than this is a number, not a phone number (dates, amounts, ids). */
const MIN_PHONE_DIGITS = 9;
const MAX_PHONE_DIGITS = 15;
const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

let changed = false;

export function on_publish(): i32 {
  return output(decide(Host.inputString()));
}

/** The same over several messages in one call (one Extism call instead of one per message). */
export function on_publish_batch(): i32 {
  return batchOutput(Host.inputString(), decide);
}

/** One on_publish input's verdict. */
function decide(input: string): string {
  const at = findMember(input, 'data');
  if (at < 0) return ALLOW;
  changed = false;
  const data = mapStrings(input, at, redact);
  return changed ? rewriteText(data) : ALLOW;
}

function redact(s: string): string {
  const out = redactNumbers(redactEmails(s));
  if (out != s) changed = true;
  return out;
}

function isLocalChar(c: i32): bool {
  return isAlnum(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d;
}

function isDomainChar(c: i32): bool {
  return isAlnum(c) || c == 0x2e || c == 0x2d;
}

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function redactEmails(s: string): string {
  let out = '';
  let copied = 0;
  let i = s.indexOf('@');
  while (i >= 0) {
    let l = i;
    while (l > copied && isLocalChar(s.charCodeAt(l - 1))) l--;
    let r = i + 1;
    while (r < s.length && isDomainChar(s.charCodeAt(r))) r++;
    // a trailing dot ends the sentence, not the domain
    while (r > i + 1 && s.charCodeAt(r - 1) == 0x2e) r--;
    const domain = s.substring(i + 1, r);
    const dot = domain.lastIndexOf('.');
    if (l < i && dot > 0 && domain.length - dot - 1 >= 2) {
      out += s.substring(copied, l) + REDACTED;
      copied = r;
      i = s.indexOf('@', r);
    } else {
      i = s.indexOf('@', i + 1);
    }
  }
  return copied == 0 ? s : out + s.substring(copied);
}

function isSeparator(c: i32): bool {
  return c == 0x20 || c == 0x2d || c == 0x2e || c == 0x28 || c == 0x29;
}

/** Runs of digits with separators between them: card numbers (Luhn) and phone numbers. */
function redactNumbers(s: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const starts =
      isDigit(c) || ((c == 0x2b || c == 0x28) && i + 1 < s.length && isDigit(s.charCodeAt(i + 1)));
    if (!starts || (i > 0 && isAlnum(s.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    let j = i;
    let digits = 0;
    let lastDigit = i;
    while (j < s.length) {
      const d = s.charCodeAt(j);
      if (isDigit(d)) {
        digits++;
        lastDigit = j;
      } else if (!(isSeparator(d) || (j == i && d == 0x2b))) break;
      j++;
    }
    const end = lastDigit + 1;
    const run = s.substring(i, end);
    if (isCard(run, digits) || (digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS)) {
      out += s.substring(copied, i) + REDACTED;
      copied = end;
    }
    i = end;
  }
  return copied == 0 ? s : out + s.substring(copied);
}

function isCard(run: string, digits: i32): bool {
  if (digits < MIN_CARD_DIGITS || digits > MAX_CARD_DIGITS) return false;
  let sum = 0;
  let double = false;
  for (let k = run.length - 1; k >= 0; k--) {
    const c = run.charCodeAt(k);
    if (!isDigit(c)) continue;
    let v = c - 0x30;
    if (double) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    double = !double;
  }
  return sum % 10 == 0;
}
