// room-firewall: joins and publishes are denied by room pattern and `sub`. Each rule names a room
// pattern (`*` one segment, `>` the rest) and the subs allowed there; anyone else is denied. Subs
// in BLOCKED may join and publish nowhere. Edit the lists, build, push.
import { Host } from '@extism/as-pdk';
import { stringMember } from './lib/json';
import { roomMatches } from './lib/room-pattern';
import { ALLOW, batchOutput, denyText, output } from './lib/verdict';

export { policyAbort } from './lib/verdict';

/** [room pattern, comma-separated subs allowed in rooms that match it] */
const RULES: string[][] = [
  ['admin.>', 'ops'],
  ['vault.*', 'alice,bob'],
];
const BLOCKED: string[] = ['mallory'];

export function on_join(): i32 {
  return output(check(Host.inputString()));
}

export function on_publish(): i32 {
  return output(check(Host.inputString()));
}

/** on_publish over several messages in one call (one Extism call instead of one per message). */
export function on_publish_batch(): i32 {
  return batchOutput(Host.inputString(), check);
}

function check(input: string): string {
  const sub = stringMember(input, 'sub');
  const room = stringMember(input, 'room');
  if (BLOCKED.includes(sub)) return denyText(sub + ' is blocked by room-firewall');
  for (let i = 0; i < RULES.length; i++) {
    const rule = RULES[i];
    if (roomMatches(rule[0], room) && !rule[1].split(',').includes(sub)) {
      return denyText('room-firewall: ' + sub + ' may not use ' + room);
    }
  }
  return ALLOW;
}
