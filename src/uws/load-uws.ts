import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as UwsPack from 'uws-pack';
import { chooseUwsBuild } from './choose-uws-build.js';
import { UWS_BUILDS, type UwsBuild } from './uws-builds.js';
import { UwsError } from './uws-error.js';
import { describeRuntime, detectUwsRuntime, type UwsRuntime } from './uws-runtime.js';

/** The part of uWebSockets.js's native module that ArqonBus calls. */
export type UwsModule = Pick<
  typeof UwsPack,
  'App' | 'SSLApp' | 'us_listen_socket_close' | 'us_socket_local_port'
>;

const REQUIRED_EXPORTS = [
  'App',
  'SSLApp',
  'us_listen_socket_close',
  'us_socket_local_port',
] as const;

/** Which build is loaded and why, for the startup log and `/v1/admin` diagnostics. */
export interface LoadedUws {
  readonly module: UwsModule;
  readonly build: UwsBuild;
  readonly path: string;
  readonly runtime: UwsRuntime;
}

const require = createRequire(import.meta.url);
let loaded: LoadedUws | null = null;

/**
 * Loads the uWS binary that fits this process, once. The packages' own entry points are never
 * imported: one of them falls back to a JavaScript server that answers HTTP but never a
 * WebSocket upgrade, and the others pick a file without looking at the C library. Here the
 * choice is made from the table, the `.node` file is required directly, and when nothing fits
 * the error says what would.
 */
export function loadUws(): LoadedUws {
  if (loaded !== null) return loaded;
  const runtime = detectUwsRuntime();
  const failures: string[] = [];
  const causes: unknown[] = [];
  let builds: readonly UwsBuild[] = UWS_BUILDS;
  for (;;) {
    const choice = chooseUwsBuild(runtime, builds);
    if (choice.type === 'none') {
      const tried = failures.length > 0 ? `\nTried and failed:\n${failures.join('\n')}` : '';
      throw new UwsError('ARQ_ERR_UWS_UNAVAILABLE', `${choice.message}${tried}`, {
        cause: causes.length === 1 ? causes[0] : new AggregateError(causes, 'uWS load failures'),
      });
    }
    const { build } = choice;
    builds = builds.filter((b) => b !== build);
    const dir = packageDir(build);
    if (dir === null) {
      failures.push(`  ${build.packageName} ${build.version}: not installed (npm ci installs it)`);
      continue;
    }
    const path = join(dir, choice.file);
    try {
      const module = require(path) as Record<string, unknown>;
      const missing = REQUIRED_EXPORTS.filter((name) => typeof module[name] !== 'function');
      if (missing.length > 0) {
        throw new UwsError(
          'ARQ_ERR_UWS_INCOMPLETE',
          `${path} lacks ${missing.join(', ')} (${describeRuntime(runtime)})`,
        );
      }
      loaded = { module: module as unknown as UwsModule, build, path, runtime };
      return loaded;
    } catch (err) {
      causes.push(err);
      const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      failures.push(`  ${build.packageName} ${build.version} (${choice.file}): ${reason}`);
    }
  }
}

/** The package's folder if the pinned version is installed where Node would find it. */
function packageDir(build: UwsBuild): string | null {
  for (const base of require.resolve.paths(build.packageName) ?? []) {
    const dir = join(base, build.packageName);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    return version === build.version ? dir : null;
  }
  return null;
}
