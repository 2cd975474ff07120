/** What decides which uWS binary can load: the Node ABI, the platform and, on Linux, the C library. */
export interface UwsRuntime {
  readonly nodeVersion: string;
  readonly abi: number;
  readonly platform: string;
  readonly arch: string;
  readonly libc: Libc;
}

/** glibc with its version, musl (Alpine), or none (not Linux). */
export type Libc =
  | { readonly type: 'glibc'; readonly version: string }
  | { readonly type: 'musl' }
  | { readonly type: 'none' };

interface ReportHeader {
  readonly glibcVersionRuntime?: string;
}

/**
 * Reads the running process. Node's diagnostic report names the glibc it runs on
 * (`header.glibcVersionRuntime`); on Linux without it, the C library is musl.
 */
export function detectUwsRuntime(): UwsRuntime {
  return {
    nodeVersion: process.versions.node,
    abi: Number(process.versions.modules),
    platform: process.platform,
    arch: process.arch,
    libc: detectLibc(),
  };
}

function detectLibc(): Libc {
  if (process.platform !== 'linux') return { type: 'none' };
  const report = process.report.getReport() as unknown as { header?: ReportHeader };
  const glibc = report.header?.glibcVersionRuntime;
  return typeof glibc === 'string' && glibc !== ''
    ? { type: 'glibc', version: glibc }
    : { type: 'musl' };
}

/** `a` >= `b` for dotted versions such as glibc's `2.36` against `2.38`. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export function describeRuntime(runtime: UwsRuntime): string {
  const libc =
    runtime.libc.type === 'glibc'
      ? `glibc ${runtime.libc.version}`
      : runtime.libc.type === 'musl'
        ? 'musl libc'
        : '';
  const where = [runtime.platform, runtime.arch, libc].filter((s) => s !== '').join(' ');
  return `Node ${runtime.nodeVersion} (module ABI ${runtime.abi}) on ${where}`;
}
