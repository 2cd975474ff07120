/**
 * No Docker engine runs on these machines, so deploy/ is checked by reading it: the compose file,
 * the Prometheus and Grafana provisioning, and the NATS config, which a real nats-server validates
 * (`-t`) and then runs to prove its permissions fence nodes and tenants as src/cluster's subjects
 * expect.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import {
  CLUSTER_HEARTBEAT_SUBJECT,
  PRESENCE_DELTA_SUBJECT,
  roomFanoutSubject,
  roomHandoffSubject,
  roomPublishSubject,
  tenantSubjectWildcard,
} from '../../src/cluster/index.js';
import { NodeMetrics } from '../../src/metrics/index.js';
import { eventually, sleep } from '../cluster/fixtures/cluster-fixtures.js';
import { freePort, natsServerBinary, startNatsServer } from '../helpers/nats-server.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const NATS_CONF = join(DEPLOY, 'nats', 'nats.conf');
const NODES = ['arq-1', 'arq-2', 'arq-3'];
const NATS = ['nats-1', 'nats-2', 'nats-3'];
const NATS_ENV = { ARQ_NATS_NODE_PASSWORD: 'node-pw', ARQ_NATS_ACME_PASSWORD: 'acme-pw' };

interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly command?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly volumes?: readonly string[];
  readonly depends_on?: readonly string[];
}

async function yamlFile<T>(...path: string[]): Promise<T> {
  return parse(await readFile(join(DEPLOY, ...path), 'utf8'), { merge: true }) as T;
}

async function services(): Promise<Record<string, Service>> {
  return (await yamlFile<{ services: Record<string, Service> }>('docker-compose.yml')).services;
}

/** The value following `flag` in a command line. */
function flag(command: readonly string[] | undefined, name: string): string | undefined {
  const i = command?.indexOf(name) ?? -1;
  return i < 0 ? undefined : command?.[i + 1];
}

t.test(
  'docker-compose - a 3-server NATS cluster, 3 nodes, Jaeger, Prometheus and Grafana',
  async (t) => {
    const all = await services();
    t.same(Object.keys(all).sort(), [...NODES, ...NATS, 'grafana', 'jaeger', 'prometheus'].sort());
    t.match(all.jaeger?.environment, { COLLECTOR_OTLP_ENABLED: 'true' }, 'Jaeger takes OTLP');
    for (const name of NODES) {
      t.match(
        all[name]?.environment,
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' },
        `${name} traces to Jaeger`,
      );
    }
  },
);

t.test(
  'docker-compose - every node runs the CLI against a NATS service of the cluster',
  async (t) => {
    const all = await services();
    const ports = new Set<string>();
    for (const name of NODES) {
      const service = all[name]!;
      const command = service.command ?? [];
      t.same(
        command.slice(0, 3),
        ['node', 'dist/src/cli/main.js', 'start'],
        `${name} starts a node`,
      );
      const url = new URL(flag(command, '--nats') ?? 'missing://');
      t.equal(url.protocol, 'nats:', `${name} has a nats:// URL`);
      t.ok(NATS.includes(url.hostname), `${name} points at NATS service ${url.hostname}`);
      t.equal(url.port, '4222');
      t.equal(flag(command, '--node-id'), name, `${name} has its own node id`);
      t.equal(flag(command, '--host'), '0.0.0.0');
      ports.add(flag(command, '--port') ?? '');
      t.ok(service.depends_on?.includes(url.hostname), `${name} starts after its NATS server`);
      t.equal(service.build?.dockerfile, 'deploy/Dockerfile');
      t.match(service.environment, { ARQ_NATS_USER: 'arq-node', ARQ_JWT_SECRET: /.+/ });
    }
    t.same([...ports], ['8080'], 'the nodes listen on one container port');
  },
);

t.test(
  'docker-compose - the NATS servers share the config, whose routes name them all',
  async (t) => {
    const all = await services();
    for (const name of NATS) {
      const service = all[name]!;
      t.equal(flag(service.command, '-c'), '/etc/nats/nats.conf');
      t.equal(flag(service.command, '-n'), name, `${name} runs under its own server name`);
      t.ok(
        service.volumes?.includes('./nats/nats.conf:/etc/nats/nats.conf:ro'),
        'the config is mounted',
      );
      t.match(service.environment, { ARQ_NATS_STORE_DIR: '/data/jetstream' });
      t.ok(
        service.volumes?.some((v) => v.endsWith(':/data/jetstream')),
        'JetStream data lives in a volume',
      );
    }
    const conf = await readFile(NATS_CONF, 'utf8');
    const routes = [...conf.matchAll(/nats-route:\/\/([\w-]+):6222/g)].map((m) => m[1]);
    t.same(routes.sort(), NATS, 'cluster routes name exactly the NATS services');
    t.match(conf, /jetstream\s*{/, 'JetStream is on');
  },
);

t.test('prometheus - the scrape targets are the node services', async (t) => {
  const all = await services();
  const config = await yamlFile<{
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs: { targets: string[] }[];
    }[];
  }>('prometheus', 'prometheus.yml');
  const job = config.scrape_configs.find((c) => c.job_name === 'arqonbus');
  t.equal(job?.metrics_path, '/metrics');
  const targets = job?.static_configs.flatMap((c) => c.targets) ?? [];
  const expected = NODES.map((name) => `${name}:${flag(all[name]?.command, '--port')}`);
  t.same(targets.sort(), expected.sort(), 'one target per node service, on its port');
  t.ok(
    all.prometheus?.volumes?.includes(
      './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    ),
  );
});

t.test(
  'grafana - the datasource is the prometheus service and the dashboard uses real metrics',
  async (t) => {
    const sources = await yamlFile<{ datasources: { uid: string; type: string; url: string }[] }>(
      'grafana',
      'provisioning',
      'datasources',
      'prometheus.yml',
    );
    const prometheus = sources.datasources.find((d) => d.type === 'prometheus');
    t.equal(prometheus?.url, 'http://prometheus:9090');
    const providers = await yamlFile<{ providers: { options: { path: string } }[] }>(
      'grafana',
      'provisioning',
      'dashboards',
      'arqonbus.yml',
    );
    const all = await services();
    t.ok(
      all.grafana?.volumes?.includes(
        `./grafana/dashboards:${providers.providers[0]?.options.path}:ro`,
      ),
      'the provider path is where the dashboards are mounted',
    );
    const dashboard = JSON.parse(
      await readFile(join(DEPLOY, 'grafana', 'dashboards', 'arqonbus-overview.json'), 'utf8'),
    ) as { panels: { datasource: { uid: string }; targets: { expr: string }[] }[] };
    t.ok(dashboard.panels.length > 0);
    const exposed = await new NodeMetrics('deploy-test').render();
    for (const panel of dashboard.panels) {
      t.equal(panel.datasource.uid, prometheus?.uid, 'the panel uses the provisioned datasource');
      for (const { expr } of panel.targets) {
        for (const [metric] of expr.matchAll(/arq_[a-z_]+/g)) {
          const base = metric.replace(/_bucket$/, '');
          t.ok(exposed.includes(`# TYPE ${base} `), `${metric} is a metric the node exposes`);
        }
      }
    }
  },
);

t.test('nats.conf - nats-server -t accepts it', async (t) => {
  const result = spawnSync(natsServerBinary(), ['-c', NATS_CONF, '-t'], {
    env: { ...process.env, ...NATS_ENV, ARQ_NATS_STORE_DIR: tmpdir() },
    encoding: 'utf8',
  });
  t.equal(result.status, 0, `nats-server -t: ${result.stderr}${result.stdout}`);
  t.match(`${result.stdout}${result.stderr}`, /is valid/);
});

async function connectAs(
  t: Test,
  url: string,
  user: string,
  pass: string,
): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    user,
    pass,
    inboxPrefix: user === 'tenant-acme' ? '_INBOX_acme' : '_INBOX',
  });
  t.teardown(() => nc.close());
  return nc;
}

t.test('nats.conf - its users fence the node and the tenant (real server)', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'arq-deploy-js-'));
  t.teardown(() => rm(store, { recursive: true, force: true }));
  // The config's own ports would collide with anything on this machine: the command line wins.
  const server = await startNatsServer({
    config: NATS_CONF,
    cluster: { name: 'arqon' },
    env: { ...NATS_ENV, ARQ_NATS_STORE_DIR: store },
    args: ['-m', String(await freePort())],
  });
  t.teardown(() => server.stop());
  await t.rejects(
    connect({ servers: server.url, user: 'arq-node', pass: 'wrong', maxReconnectAttempts: 0 }),
    'a wrong password is refused',
  );
  const node = await connectAs(t, server.url, 'arq-node', NATS_ENV.ARQ_NATS_NODE_PASSWORD);
  const acme = await connectAs(t, server.url, 'tenant-acme', NATS_ENV.ARQ_NATS_ACME_PASSWORD);
  const refused: string[] = [];
  void (async () => {
    for await (const status of acme.status()) {
      if (status.type === 'error') refused.push(status.error.message);
    }
  })();

  const atNode: string[] = [];
  node.subscribe('arq.>', { callback: (_e, m) => void atNode.push(m.subject) });
  const acmeGot: string[] = [];
  acme.subscribe(tenantSubjectWildcard('acme'), {
    callback: (_e, m) => void acmeGot.push(m.subject),
  });
  let heartbeatRefused = false;
  acme.subscribe(CLUSTER_HEARTBEAT_SUBJECT, {
    callback: (err) => {
      if (err !== null) heartbeatRefused = true;
    },
  });
  await node.flush();
  await acme.flush();

  const own = roomPublishSubject('acme', 'arq-1', 'chat.general');
  const other = roomFanoutSubject('globex', 'chat.general');
  acme.publish(own, 'hi');
  acme.publish(other, 'sneaky');
  acme.publish(PRESENCE_DELTA_SUBJECT, '{}');
  const forged = roomHandoffSubject('acme', 'arq-1', 'chat.general');
  acme.publish(forged, 'forged state');
  node.publish(roomFanoutSubject('acme', 'chat.general'), 'fan');
  node.publish(roomFanoutSubject('globex', 'lobby'), 'not for acme');
  await acme.flush();
  await node.flush();
  await eventually(() => atNode.length >= 3 && acmeGot.length >= 2, 'deliveries');
  await eventually(() => refused.length >= 3 && heartbeatRefused, 'permission violations reported');
  t.ok(atNode.includes(own), 'the owner node gets the tenant publish');
  t.notOk(atNode.includes(other), "the tenant cannot publish into another tenant's room");
  t.notOk(atNode.includes(PRESENCE_DELTA_SUBJECT), 'nor into the presence gossip');
  t.notOk(atNode.includes(forged), 'nor hand a room over (a node-only subject)');
  t.same(
    acmeGot.sort(),
    [own, roomFanoutSubject('acme', 'chat.general')].sort(),
    'acme sees only acme',
  );
  t.ok(heartbeatRefused, 'the tenant cannot listen to membership');
  t.match(refused.join('\n'), /Permissions Violation for Publish to "arq\.fan\.t\.globex/);

  const reply = node.subscribe(roomPublishSubject('acme', 'arq-2', 'rpc'), {
    callback: (_e, m) => void m.respond('pong'),
  });
  await node.flush();
  const answer = await acme.request(roomPublishSubject('acme', 'arq-2', 'rpc'), 'ping', {
    timeout: 5_000,
  });
  t.equal(answer.string(), 'pong', 'request/reply works through the tenant inbox prefix');
  reply.unsubscribe();
});

t.test(
  'nats.conf - three servers run from it form a JetStream cluster for the node user',
  async (t) => {
    const stores = await Promise.all(NATS.map(() => mkdtemp(join(tmpdir(), 'arq-deploy-js-'))));
    t.teardown(() => Promise.all(stores.map((dir) => rm(dir, { recursive: true, force: true }))));
    const start = async (i: number, routes: string[]) => {
      // The config's routes name the compose hosts; here the command line routes to local servers.
      const server = await startNatsServer({
        config: NATS_CONF,
        cluster: { name: 'arqon', routes },
        env: { ...NATS_ENV, ARQ_NATS_STORE_DIR: stores[i]! },
        args: ['-m', String(await freePort())],
      });
      t.teardown(() => server.stop());
      return server;
    };
    const first = await start(0, []);
    const second = await start(1, [first.routeUrl!]);
    const third = await start(2, [first.routeUrl!, second.routeUrl!]);
    const nodeOnFirst = await connectAs(t, first.url, 'arq-node', NATS_ENV.ARQ_NATS_NODE_PASSWORD);
    const nodeOnThird = await connectAs(t, third.url, 'arq-node', NATS_ENV.ARQ_NATS_NODE_PASSWORD);

    const kvm = new Kvm(nodeOnFirst);
    // The JetStream meta group elects a leader once the routes are up: until then creation fails.
    const deadline = Date.now() + 60_000;
    let bucket: Awaited<ReturnType<Kvm['create']>> | null = null;
    while (bucket === null) {
      try {
        bucket = await kvm.create('arq-deploy-test', { replicas: 3 });
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
    t.ok(bucket, 'the node user created a KV bucket replicated on the three servers');
    await bucket!.put('room.owner', 'arq-1');
    const seenFromThird = await new Kvm(nodeOnThird).open('arq-deploy-test');
    t.equal(
      (await seenFromThird.get('room.owner'))?.string(),
      'arq-1',
      'read back through another server',
    );

    const got: string[] = [];
    nodeOnFirst.subscribe(roomFanoutSubject('acme', 'lobby'), {
      callback: (_e, m) => void got.push(m.string()),
    });
    await nodeOnFirst.flush();
    await eventually(() => {
      nodeOnThird.publish(roomFanoutSubject('acme', 'lobby'), 'across');
      return got.length > 0;
    }, 'a fan-out message crosses the routes');
    t.equal(got[0], 'across');
  },
);
