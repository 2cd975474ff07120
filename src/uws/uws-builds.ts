/**
 * The registry packages that carry uWebSockets.js binaries, in order of preference. Upstream
 * publishes uWS.js only on GitHub, which many installs (and these build machines) cannot reach, so
 * the binaries come from repackagings on the npm registry, pinned to exact versions in
 * package.json (the lockfile pins their integrity). Preference goes to the build the test suite
 * runs against on Debian 12 (glibc 2.36); the second serves the Nodes the first lacks, on newer C
 * libraries. ARCHITECTURE.md ("Where the uWS binary comes from") weighs their provenance.
 */
export interface UwsBuild {
  /** npm package name, as installed under node_modules. */
  readonly packageName: string;
  /** Exact version pinned in package.json. */
  readonly version: string;
  /** The upstream uWebSockets.js release the binaries are said to come from. */
  readonly upstream: string;
  /** Folder of the `.node` files inside the package. */
  readonly binaryDir: string;
  /** Node module ABIs (`process.versions.modules`) it carries a binary for. */
  readonly abis: readonly number[];
  /** `${platform}_${arch}` pairs it carries, and the oldest glibc each Linux one needs. */
  readonly targets: Readonly<Record<string, UwsTarget>>;
}

export interface UwsTarget {
  /** Oldest glibc the Linux binaries link against (highest GLIBC_x.y symbol version); null off Linux. */
  readonly minGlibc: string | null;
}

const NOT_LINUX: UwsTarget = { minGlibc: null };

export const TRUFFLESUITE_UWS: UwsBuild = {
  packageName: '@trufflesuite/uws-js-unofficial',
  version: '20.30.0-unofficial.0',
  upstream: 'uWebSockets.js v20.30.0',
  binaryDir: 'binaries',
  abis: [93, 108, 115],
  targets: {
    linux_x64: { minGlibc: '2.27' },
    linux_arm64: { minGlibc: '2.27' },
    linux_arm: { minGlibc: '2.28' },
    darwin_x64: NOT_LINUX,
    darwin_arm64: NOT_LINUX,
    win32_x64: NOT_LINUX,
  },
};

export const UWS_PACK: UwsBuild = {
  packageName: 'uws-pack',
  version: '20.0.8',
  upstream: 'uWebSockets.js v20 (Node 18-22 series; the package does not name the tag)',
  binaryDir: 'dist/bin',
  abis: [108, 115, 120, 127],
  targets: {
    linux_x64: { minGlibc: '2.27' },
    linux_arm64: { minGlibc: '2.27' },
    linux_arm: { minGlibc: '2.28' },
    darwin_x64: NOT_LINUX,
    darwin_arm64: NOT_LINUX,
    win32_x64: NOT_LINUX,
  },
};

export const BTC_VISION_UWS: UwsBuild = {
  packageName: '@btc-vision/uwebsockets.js',
  version: '20.57.0',
  upstream: 'uWebSockets.js v20.57.0',
  binaryDir: '.',
  abis: [115, 127, 137, 141],
  targets: {
    linux_x64: { minGlibc: '2.38' },
    linux_arm64: { minGlibc: '2.38' },
    darwin_x64: NOT_LINUX,
    darwin_arm64: NOT_LINUX,
    win32_x64: NOT_LINUX,
  },
};

/**
 * v20.30 first where it fits: the newer builds close a socket upgraded asynchronously (after the
 * token check) under load (uNetworking/uWebSockets#1928), which the suite sees on Node 20.
 */
export const UWS_BUILDS: readonly UwsBuild[] = [TRUFFLESUITE_UWS, UWS_PACK, BTC_VISION_UWS];

/** Node major release of each module ABI, for messages (https://nodejs.org/en/download/releases). */
export const NODE_MAJOR_OF_ABI: Readonly<Record<number, number>> = {
  93: 16,
  108: 18,
  115: 20,
  120: 21,
  127: 22,
  131: 23,
  137: 24,
  141: 25,
};
