// allow-all with on_publish_batch too (the cost of a batched hook call that does nothing).

import { Host } from '@extism/as-pdk';
import { ALLOW, allow, batchOutput } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  return allow();
}

export function on_publish_batch(): i32 {
  return batchOutput(Host.inputString(), keep);
}

function keep(_input: string): string {
  return ALLOW;
}
