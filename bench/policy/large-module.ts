import { uleb128 } from '../../src/policy/index.js';

/**
 * A large but valid policy module, made in code: `functions` functions of `opsPerFunction`
 * `i32.const 1; drop` pairs each, `on_publish` exported, and a custom section with `nonce` so that
 * every push has new bytes (V8 caches compiled modules by their bytes, process-wide).
 */
function section(id: number, content: readonly number[] | Uint8Array): Uint8Array {
  const head = [id, ...uleb128(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

export function largeModule(functions: number, opsPerFunction: number, nonce: string): Uint8Array {
  const type = section(1, [1, 0x60, 0, 1, 0x7f]); // one type: () -> i32
  const funcs = section(3, [...uleb128(functions), ...new Array<number>(functions).fill(0)]);
  const exportName = bytesOf('on_publish');
  const exports = section(7, [1, ...uleb128(exportName.length), ...exportName, 0x00, 0]);
  const body = [0, ...new Array<number>(opsPerFunction).fill(0).flatMap(() => [0x41, 1, 0x1a])];
  body.push(0x41, 0, 0x0b); // i32.const 0; end
  const sized = [...uleb128(body.length), ...body];
  const code = new Uint8Array(uleb128(functions).length + functions * sized.length);
  code.set(uleb128(functions), 0);
  for (let i = 0; i < functions; i++) code.set(sized, uleb128(functions).length + i * sized.length);
  const codeSection = section(10, code);
  const name = bytesOf('bench.nonce');
  const custom = section(0, [...uleb128(name.length), ...name, ...bytesOf(nonce)]);
  const parts = [
    new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    type,
    funcs,
    exports,
    codeSection,
    custom,
  ];
  return Buffer.concat(parts);
}
