// Says in a header which export decided the message ("via": "single" or "batch"), so that a test
// can tell that a batch call happened; the data is left as it is.
import { Host } from '@extism/as-pdk';
import { batchOutput, output } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  return output('{"allow":true,"headers":{"via":"single"}}');
}

export function on_publish_batch(): i32 {
  return batchOutput(Host.inputString(), viaBatch);
}

function viaBatch(_input: string): string {
  return '{"allow":true,"headers":{"via":"batch"}}';
}
