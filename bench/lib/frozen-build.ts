import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './bench-error.js';

/** Set in the re-executed bench: it already runs from a frozen copy. */
const FROZEN_ENV = 'ARQ_BENCH_FROZEN';
/** Set alongside: when and from where the copy was taken, for the report. */
const BUILD_ENV = 'ARQ_BENCH_BUILD';

/**
 * Other work on the machine may rebuild dist/ while a bench runs (servers and generators are started
 * many times, each loading dist/ afresh, and a half-written file breaks them). The bench therefore
 * copies dist/ once to a temporary directory and re-runs itself from there, so every process of
 * one run loads the same build. Resolves only inside the re-run (or when `ARQ_BENCH_FROZEN` is set);
 * the original process waits for the copy's run, removes the copy and exits with its code.
 */
export async function runFromFrozenBuild(entryUrl: string): Promise<void> {
  if (process.env[FROZEN_ENV] === '1') return;
  const entry = fileURLToPath(entryUrl);
  let dist = dirname(entry);
  while (!dist.endsWith(`${join('/', 'dist')}`) && dirname(dist) !== dist) dist = dirname(dist);
  const root = dirname(dist);
  if (!existsSync(join(root, 'node_modules')) || !existsSync(join(root, 'package.json')))
    throw new BenchError('ARQ_ERR_BENCH_OPTIONS', `no node_modules/package.json next to ${dist}`);
  const copy = mkdtempSync(join(tmpdir(), 'arq-bench-'));
  const code = await new Promise<number>((resolve) => {
    try {
      cpSync(dist, join(copy, 'dist'), { recursive: true });
      cpSync(join(root, 'package.json'), join(copy, 'package.json'));
      symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    } catch (cause) {
      rmSync(copy, { recursive: true, force: true });
      throw new BenchError('ARQ_ERR_BENCH_OPTIONS', `cannot copy ${dist}`, { cause });
    }
    const child = spawn(
      process.execPath,
      [...process.execArgv, join(copy, 'dist', relative(dist, entry)), ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          [FROZEN_ENV]: '1',
          [BUILD_ENV]: `copy of ${dist} taken ${new Date().toISOString()}`,
        },
      },
    );
    // The child gets the terminal's signals itself; the parent only waits for it.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
  });
  rmSync(copy, { recursive: true, force: true });
  process.exit(code);
}

/** What `runFromFrozenBuild` recorded about the build this process runs, or null. */
export function frozenBuildInfo(): string | null {
  return process.env[BUILD_ENV] ?? null;
}
