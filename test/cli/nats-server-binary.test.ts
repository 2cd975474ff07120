import { accessSync, chmodSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import t from 'tap';
import { natsServerBinary } from '../../src/cli/index.js';

t.test(
  'nats-server-binary - an executable on PATH wins, else a usual install location',
  async (t) => {
    const found = natsServerBinary();
    t.doesNotThrow(() => accessSync(found, constants.X_OK), `${found} is executable`);
    const dir = mkdtempSync(join(tmpdir(), 'arq-nats-bin-'));
    const fake = join(dir, 'nats-server');
    writeFileSync(fake, '#!/bin/sh\n');
    const path = process.env.PATH;
    t.teardown(() => {
      process.env.PATH = path;
    });
    process.env.PATH = `${dir}${delimiter}${path ?? ''}`;
    t.not(natsServerBinary(), fake, 'a file that is not executable is skipped');
    chmodSync(fake, 0o755);
    t.equal(natsServerBinary(), fake, 'the first executable on PATH');
  },
);
