import t from 'tap';
import {
  BTC_VISION_UWS,
  chooseUwsBuild,
  detectUwsRuntime,
  type Libc,
  loadUws,
  TRUFFLESUITE_UWS,
  UWS_BUILDS,
  UWS_PACK,
  type UwsRuntime,
  versionAtLeast,
} from '../../src/uws/index.js';

const NODE_OF_ABI: Record<number, string> = {
  115: '20.20.2',
  127: '22.23.5',
  131: '23.11.1',
  137: '24.22.3',
  141: '25.9.0',
};

function runtime(abi: number, libc: Libc, platform = 'linux', arch = 'x64'): UwsRuntime {
  return { nodeVersion: NODE_OF_ABI[abi] ?? '0.0.0', abi, platform, arch, libc };
}

const glibc = (version: string): Libc => ({ type: 'glibc', version });

t.test('uws - the build chosen for each Node and glibc', async (t) => {
  const cases: [number, Libc, string | null][] = [
    [115, glibc('2.36'), TRUFFLESUITE_UWS.packageName],
    [115, glibc('2.41'), TRUFFLESUITE_UWS.packageName],
    [127, glibc('2.36'), UWS_PACK.packageName],
    [127, glibc('2.27'), UWS_PACK.packageName],
    [127, glibc('2.39'), UWS_PACK.packageName],
    [137, glibc('2.36'), null],
    [137, glibc('2.38'), BTC_VISION_UWS.packageName],
    [137, glibc('2.41'), BTC_VISION_UWS.packageName],
    [141, glibc('2.39'), BTC_VISION_UWS.packageName],
    [141, glibc('2.36'), null],
    [131, glibc('2.41'), null],
    [115, glibc('2.17'), null],
    [115, { type: 'musl' }, null],
    [137, { type: 'musl' }, null],
  ];
  for (const [abi, libc, expected] of cases) {
    const choice = chooseUwsBuild(runtime(abi, libc), UWS_BUILDS);
    const label = `ABI ${abi} on ${libc.type === 'glibc' ? `glibc ${libc.version}` : libc.type}`;
    if (expected === null) t.equal(choice.type, 'none', label);
    else t.equal(choice.type === 'chosen' ? choice.build.packageName : null, expected, label);
  }
});

t.test('uws - the file is the one for the platform, arch and ABI', async (t) => {
  const linux = chooseUwsBuild(runtime(127, glibc('2.36')), UWS_BUILDS);
  t.match(linux, { type: 'chosen', file: 'dist/bin/uws_linux_x64_127.node' });
  const mac = chooseUwsBuild(runtime(137, { type: 'none' }, 'darwin', 'arm64'), UWS_BUILDS);
  t.match(mac, { type: 'chosen', file: 'uws_darwin_arm64_137.node' });
  const win = chooseUwsBuild(runtime(115, { type: 'none' }, 'win32', 'x64'), UWS_BUILDS);
  t.match(win, { type: 'chosen', file: 'binaries/uws_win32_x64_115.node' });
  t.equal(chooseUwsBuild(runtime(115, glibc('2.36'), 'linux', 'ppc64'), UWS_BUILDS).type, 'none');
});

t.test(
  'uws - with none fitting, the message names Node, the C library and what works',
  async (t) => {
    const choice = chooseUwsBuild(runtime(137, glibc('2.36')), UWS_BUILDS);
    if (choice.type !== 'none') throw t.fail('a build was chosen');
    t.match(choice.message, /Node 24\.22\.3 \(module ABI 137\) on linux x64 glibc 2\.36/);
    t.match(choice.message, /never falls back/);
    t.match(choice.message, /Node 22, Node 21, Node 20, Node 18 or Node 16 on this system/);
    t.match(choice.message, /Node 24 on a glibc 2\.38 or newer system/);
    const musl = chooseUwsBuild(runtime(115, { type: 'musl' }), UWS_BUILDS);
    if (musl.type !== 'none') throw t.fail('a build was chosen for musl');
    t.match(musl.message, /musl libc/);
    t.match(musl.message, /glibc 2\.27 or newer/);
  },
);

t.test('uws - versions compare by number, not by text', async (t) => {
  t.ok(versionAtLeast('2.38', '2.38'));
  t.ok(versionAtLeast('2.100', '2.38'));
  t.notOk(versionAtLeast('2.36', '2.38'));
  t.notOk(versionAtLeast('1.99', '2.27'));
});

t.test('uws - this process loads the build the table chooses for it', async (t) => {
  const choice = chooseUwsBuild(detectUwsRuntime(), UWS_BUILDS);
  if (choice.type !== 'chosen') throw t.fail('no build for the machine running the tests');
  const loaded = loadUws();
  t.equal(loaded.build, choice.build);
  t.ok(loaded.path.endsWith(choice.file));
  t.equal(typeof loaded.module.App, 'function');
});
