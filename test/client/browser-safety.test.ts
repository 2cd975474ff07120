import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// Compiled to dist/test/client/: the sources are three levels up.
const SRC = fileURLToPath(new URL('../../../src/client/', import.meta.url));

t.test('browser safety - the SDK sources use nothing Node-only', async (t) => {
  const files = readdirSync(SRC).filter((name) => name.endsWith('.ts'));
  t.ok(files.includes('arqon-client.ts'), 'found the sources');
  for (const name of files) {
    const source = readFileSync(SRC + name, 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    t.same(
      imports.filter((spec) => !spec.startsWith('./')),
      [],
      `${name} imports only its own folder`,
    );
    t.notMatch(source, /\bBuffer\b|\bprocess\.|\brequire\(/, `${name} uses no Node globals`);
  }
});
