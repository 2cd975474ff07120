import t from 'tap';
import { limitMemory, PolicyError } from '../../src/policy/index.js';
import { moduleBytes } from './fixtures/policy-fixtures.js';

/** A module of only a memory section with these limits. */
function memoryModule(limits: number[]): Uint8Array {
  const content = [1, ...limits];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, content.length, ...content]);
}

t.test(
  'wasm memory limit - a memory gets the smaller maximum of its own and the limit',
  async (t) => {
    t.same([...limitMemory(memoryModule([0x00, 2]), 16).subarray(8)], [5, 4, 1, 0x01, 2, 16]);
    t.same([...limitMemory(memoryModule([0x01, 1, 4]), 16).subarray(8)], [5, 4, 1, 0x01, 1, 4]);
    t.same([...limitMemory(memoryModule([0x01, 1, 100]), 16).subarray(8)], [5, 4, 1, 0x01, 1, 16]);
    const capped = limitMemory(moduleBytes('allow-all'), 3);
    t.ok(await WebAssembly.compile(capped), 'a real module still compiles');
  },
);

t.test('wasm memory limit - refusals name what is wrong', async (t) => {
  t.throws(() => limitMemory(new Uint8Array([1, 2, 3]), 16), PolicyError);
  t.throws(() => limitMemory(memoryModule([0x00, 20]), 16), /starts at 20 pages, over the limit/);
  t.throws(() => limitMemory(memoryModule([0x03, 1, 2]), 16), /shared or 64-bit/);
  const truncated = memoryModule([0x00, 2]).subarray(0, 10);
  t.throws(() => limitMemory(truncated, 16), /truncated|past the end/);
});
