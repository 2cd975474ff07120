/**
 * Build step (`npm run build` runs it after tsc): compiles the AssemblyScript policies to Wasm,
 * the shipped ones (src/policy/assembly/*.ts -> dist/policies/NAME.wasm) and the tests' misbehaving
 * ones (test/policy/assembly/*.ts -> dist/test/policy/wasm/NAME.wasm). Every module gets the abort
 * handler of lib/verdict.ts, which traps: Extism provides no `env.abort`, and a policy whose
 * assertion failed must fail (and so deny), not go on.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyError } from './policy-error.js';

interface AscApi {
  main(
    argv: string[],
    options?: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream },
  ): Promise<{ error: Error | null }>;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ABORT = 'src/policy/assembly/lib/verdict.ts';
const ABORT_FUNCTION = 'src/policy/assembly/lib/verdict/policyAbort';

/** Source folder -> output folder, relative to the repository root. */
const TARGETS: readonly (readonly [string, string])[] = [
  ['src/policy/assembly', 'dist/policies'],
  ['test/policy/assembly', 'dist/test/policy/wasm'],
];

async function newer(source: string, output: string): Promise<boolean> {
  try {
    const [s, o] = await Promise.all([stat(source), stat(output)]);
    return s.mtimeMs > o.mtimeMs;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  // Imported by name at run time: assemblyscript is a devDependency, only the build needs it.
  const specifier = 'assemblyscript/asc';
  const asc = ((await import(specifier)) as { default: AscApi }).default;
  const libDir = join(ROOT, 'src/policy/assembly/lib');
  const libTimes = await Promise.all(
    (await readdir(libDir)).map(async (f) => (await stat(join(libDir, f))).mtimeMs),
  );
  const libChanged = Math.max(...libTimes);
  let built = 0;
  for (const [from, to] of TARGETS) {
    await mkdir(join(ROOT, to), { recursive: true });
    const entries = (await readdir(join(ROOT, from))).filter((f) => f.endsWith('.ts'));
    for (const entry of entries) {
      const source = join(ROOT, from, entry);
      const output = join(ROOT, to, `${basename(entry, '.ts')}.wasm`);
      const stale =
        (await newer(source, output)) ||
        (await stat(output).then(
          (o) => o.mtimeMs < libChanged,
          () => true,
        ));
      if (!stale) continue;
      const { error } = await asc.main(
        [
          relative(ROOT, source),
          ABORT,
          '--outFile',
          relative(ROOT, output),
          '--use',
          `abort=${ABORT_FUNCTION}`,
          '--optimizeLevel',
          '3',
          '--shrinkLevel',
          '1',
          '--noAssert',
          '--baseDir',
          ROOT,
        ],
        { stdout: process.stdout, stderr: process.stderr },
      );
      if (error !== null) {
        throw new PolicyError('ARQ_ERR_POLICY_BUILD', `cannot compile ${entry}: ${error.message}`, {
          cause: error,
        });
      }
      built++;
    }
  }
  process.stdout.write(`policies: ${built} compiled\n`);
}

await main();
