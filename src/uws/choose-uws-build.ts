import { NODE_MAJOR_OF_ABI, type UwsBuild } from './uws-builds.js';
import { describeRuntime, type UwsRuntime, versionAtLeast } from './uws-runtime.js';

/** The outcome of matching a runtime against the builds: one to load, or why none fits. */
export type UwsChoice =
  | { readonly type: 'chosen'; readonly build: UwsBuild; readonly file: string }
  | { readonly type: 'none'; readonly message: string };

/**
 * Picks the first build (in the table's order of preference) that carries a binary for this
 * ABI and platform and whose C library requirement the runtime meets. Pure: the loader's tests
 * drive it with every Node/glibc pair. `file` is relative to the package's folder.
 */
export function chooseUwsBuild(runtime: UwsRuntime, builds: readonly UwsBuild[]): UwsChoice {
  const target = `${runtime.platform}_${runtime.arch}`;
  for (const build of builds) {
    if (fits(build, runtime)) {
      const dir = build.binaryDir === '.' ? '' : `${build.binaryDir}/`;
      return { type: 'chosen', build, file: `${dir}uws_${target}_${runtime.abi}.node` };
    }
  }
  return { type: 'none', message: noBuildMessage(runtime, builds) };
}

function fits(build: UwsBuild, runtime: UwsRuntime): boolean {
  if (!build.abis.includes(runtime.abi)) return false;
  const target = build.targets[`${runtime.platform}_${runtime.arch}`];
  if (target === undefined) return false;
  if (target.minGlibc === null) return true;
  return runtime.libc.type === 'glibc' && versionAtLeast(runtime.libc.version, target.minGlibc);
}

function nodeName(abi: number): string {
  const major = NODE_MAJOR_OF_ABI[abi];
  return major === undefined ? `module ABI ${abi}` : `Node ${major}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Names the runtime, what the builds carry, and what would work: another Node here, or a newer C library. */
function noBuildMessage(runtime: UwsRuntime, builds: readonly UwsBuild[]): string {
  const target = `${runtime.platform}_${runtime.arch}`;
  const lines = [
    `no uWebSockets.js build fits ${describeRuntime(runtime)}; ArqonBus will not start without one (it never falls back to a JavaScript WebSocket server).`,
    'Builds installed with ArqonBus:',
  ];
  for (const build of builds) {
    const t = build.targets[target];
    const nodes = build.abis.map(nodeName).join(', ');
    const libc =
      t === undefined
        ? `none for ${runtime.platform} ${runtime.arch}`
        : t.minGlibc === null
          ? runtime.platform
          : `glibc ${t.minGlibc} or newer`;
    lines.push(`  ${build.packageName} ${build.version}: ${nodes}; ${libc}`);
  }
  const works: string[] = [];
  const hereAbis = [
    ...new Set(builds.flatMap((b) => b.abis.filter((abi) => fits(b, { ...runtime, abi })))),
  ].sort((a, b) => b - a);
  if (hereAbis.length > 0) works.push(`${list(hereAbis.map(nodeName))} on this system`);
  const glibcs = builds
    .filter((b) => b.abis.includes(runtime.abi))
    .map((b) => b.targets[target]?.minGlibc)
    .filter((v): v is string => typeof v === 'string')
    .sort((a, b) => (versionAtLeast(a, b) ? 1 : -1));
  const needs = glibcs[0];
  if (needs !== undefined && runtime.libc.type !== 'none') {
    works.push(
      `${nodeName(runtime.abi)} on a glibc ${needs} or newer system (e.g. Debian 13, Ubuntu 24.04, the deploy/ image)`,
    );
  }
  lines.push(
    works.length > 0
      ? `What would work: ${works.join('; or ')}.`
      : 'No installed build serves this platform.',
  );
  return lines.join('\n');
}
