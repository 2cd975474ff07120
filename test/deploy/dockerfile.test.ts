/**
 * No Docker engine runs on these machines, so deploy/Dockerfile is checked by reading it: its base
 * image must carry a Node and a C library for which src/uws chooses a build, it installs with
 * `npm ci`, and the secret docker-compose gives the nodes by default is one a node accepts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { TokenVerifier } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { verifierOptions } from '../../src/node/index.js';
import { chooseUwsBuild, NODE_MAJOR_OF_ABI, UWS_BUILDS } from '../../src/uws/index.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));

/** glibc of the Debian releases the official node images are built on. */
const DEBIAN_GLIBC: Readonly<Record<string, string>> = {
  bullseye: '2.31',
  bookworm: '2.36',
  trixie: '2.41',
};

async function dockerfile(): Promise<string> {
  return readFile(join(DEPLOY, 'Dockerfile'), 'utf8');
}

t.test('dockerfile - every stage is an official node image on a Debian uWS serves', async (t) => {
  const bases = [...(await dockerfile()).matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? '');
  t.equal(bases.length, 2, 'a build stage and a runtime stage');
  for (const base of bases) {
    const m = /^node:(\d+)-([a-z]+)(?:-slim)?$/.exec(base);
    if (m === null) throw t.fail(`${base} is not node:<major>-<debian>[-slim]`);
    const major = Number(m[1]);
    const glibc = DEBIAN_GLIBC[m[2] ?? ''];
    if (glibc === undefined) throw t.fail(`${base}: unknown Debian release ${m[2]}`);
    t.equal(major, 24, `${base} runs Node 24, the active LTS`);
    const abi = Number(
      Object.entries(NODE_MAJOR_OF_ABI).find(([, nodeMajor]) => nodeMajor === major)?.[0],
    );
    const choice = chooseUwsBuild(
      {
        abi,
        nodeVersion: `${major}.0.0`,
        platform: 'linux',
        arch: 'x64',
        libc: { type: 'glibc', version: glibc },
      },
      UWS_BUILDS,
    );
    t.match(choice, { type: 'chosen' }, `${base} (glibc ${glibc}) has a uWS build`);
  }
  // The same check fails where it should: Node 24 on bookworm has none.
  const bookworm = chooseUwsBuild(
    {
      abi: 137,
      nodeVersion: '24.0.0',
      platform: 'linux',
      arch: 'x64',
      libc: { type: 'glibc', version: DEBIAN_GLIBC.bookworm ?? '' },
    },
    UWS_BUILDS,
  );
  t.equal(bookworm.type, 'none', 'node:24-bookworm would not serve');
});

t.test('dockerfile - installs the lockfile with npm ci and starts the CLI', async (t) => {
  const text = await dockerfile();
  t.match(text, /^RUN npm ci\b/m);
  t.notMatch(text, /npm install/);
  t.match(text, /^CMD \["node", "dist\/src\/cli\/main\.js", "start"/m);
});

t.test('dockerfile - the compose file default secret is one a node accepts', async (t) => {
  const compose = parse(await readFile(join(DEPLOY, 'docker-compose.yml'), 'utf8')) as {
    'x-arq': { environment: Record<string, string> };
  };
  const raw = compose['x-arq'].environment.ARQ_JWT_SECRET ?? '';
  // Compose's ${VAR:-default}: the value a node gets when VAR is not set.
  const fallback = /^\$\{ARQ_JWT_SECRET:-(.+)\}$/.exec(raw)?.[1];
  if (fallback === undefined) throw t.fail(`ARQ_JWT_SECRET is ${raw}, not \${ARQ_JWT_SECRET:-...}`);
  const { config } = resolveConfig({ env: { ARQ_JWT_SECRET: fallback } });
  t.doesNotThrow(() => new TokenVerifier(verifierOptions(config, null)));
});
