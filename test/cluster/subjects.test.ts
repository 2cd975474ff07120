import fc from 'fast-check';
import t from 'tap';
import {
  ClusterError,
  decodeRoomName,
  decodeToken,
  encodeRoomName,
  encodeToken,
  ownerPublishWildcard,
  parseRoomSubject,
  presenceStateSubject,
  roomFanoutSubject,
  roomPublishSubject,
  tenantSubjectWildcard,
} from '../../src/cluster/index.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { connectTo, eventually } from './fixtures/cluster-fixtures.js';

t.test('subjects - the scheme keeps room dots and puts the tenant at a fixed depth', async (t) => {
  t.equal(roomFanoutSubject('acme', 'chat.general'), 'arq.fan.t.acme.r.chat.general');
  t.equal(
    roomPublishSubject('acme', 'node-1', 'chat.general'),
    'arq.pub.t.acme.o.node-1.r.chat.general',
  );
  t.equal(ownerPublishWildcard('node-1'), 'arq.pub.t.*.o.node-1.>');
  t.equal(tenantSubjectWildcard('acme'), 'arq.*.t.acme.>');
  t.equal(presenceStateSubject('node-1'), 'arq.presence.state.node-1');
  t.equal(presenceStateSubject('a.b'), 'arq.presence.state.a%2Eb', 'a dotted node id is one token');
});

t.test('subjects - tokens escape dots, wildcards, white space and non-ASCII', async (t) => {
  t.equal(encodeToken('acme'), 'acme');
  t.equal(encodeToken('a-b_c:d@e'), 'a-b_c:d@e');
  t.equal(encodeToken('a.b'), 'a%2Eb');
  t.equal(encodeToken('*'), '%2A');
  t.equal(encodeToken('>'), '%3E');
  t.equal(encodeToken('a b'), 'a%20b');
  t.equal(encodeToken('100%'), '100%25');
  t.equal(encodeToken('é'), '%C3%A9');
  t.equal(encodeToken(''), '%');
  t.equal(encodeRoomName('a..b'), 'a.%.b', 'an empty segment stays a token');
  t.equal(decodeRoomName('a.%.b'), 'a..b');
});

t.test('subjects - token encoding round-trips and never yields a NATS-special token', async () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (value) => {
      const token = encodeToken(value);
      return decodeToken(token) === value && token.length > 0 && !/[.\s*>]/.test(token);
    }),
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ maxLength: 6 }).filter((s) => !s.includes('.')),
        { minLength: 1, maxLength: 4 },
      ),
      (segments) => {
        const room = segments.join('.');
        const encoded = encodeRoomName(room);
        return decodeRoomName(encoded) === room && encoded.split('.').length === segments.length;
      },
    ),
  );
});

t.test('subjects - tokens that encodeToken cannot produce do not decode', async (t) => {
  for (const bad of ['a%2', 'a%zz', 'a%2e', 'a b', 'a.b', '%41', '%FF']) {
    t.throws(() => decodeToken(bad), { code: 'ARQ_ERR_CLUSTER_SUBJECT' }, bad);
  }
  t.ok(new ClusterError('ARQ_ERR_CLUSTER_SUBJECT', 'x') instanceof Error);
});

t.test('subjects - room subjects parse back; other subjects are null', async (t) => {
  t.same(parseRoomSubject(roomFanoutSubject('acme', 'chat.general')), {
    kind: 'fan',
    tenant: 'acme',
    room: 'chat.general',
  });
  t.same(parseRoomSubject(roomPublishSubject('t.x', 'n.1', 'a b.c')), {
    kind: 'pub',
    tenant: 't.x',
    owner: 'n.1',
    room: 'a b.c',
  });
  for (const other of [
    'arq.cluster.hb',
    'arq.presence.delta',
    'arq.fan.t.acme.r',
    'arq.fan.t.acme.x.room',
    'arq.pub.t.acme.r.room',
    'arq.pub.t.acme.o.n1.r',
    'arq.fan.t.a%zz.r.room',
    'nats.fan.t.acme.r.room',
  ]) {
    t.equal(parseRoomSubject(other), null, other);
  }
});

t.test('subjects - NATS wildcards fence a tenant and a room prefix (real server)', async (t) => {
  const server = await startNatsServer();
  t.teardown(() => server.stop());
  const nc = await connectTo(server.url);
  t.teardown(() => nc.close());
  const acme: string[] = [];
  const chat: string[] = [];
  const owned: string[] = [];
  nc.subscribe(tenantSubjectWildcard('acme'), { callback: (_e, m) => void acme.push(m.subject) });
  nc.subscribe('arq.fan.t.acme.r.chat.>', { callback: (_e, m) => void chat.push(m.subject) });
  nc.subscribe(ownerPublishWildcard('n1'), { callback: (_e, m) => void owned.push(m.subject) });
  await nc.flush();
  const sent = [
    roomFanoutSubject('acme', 'chat.general'),
    roomPublishSubject('acme', 'n1', 'chat.general'),
    roomFanoutSubject('acme', 'lobby'),
    roomFanoutSubject('acme.evil', 'chat.general'),
    roomFanoutSubject('other', 'chat.general'),
    roomPublishSubject('other', 'n1', 'x'),
    roomPublishSubject('acme', 'n2', 'chat.general'),
  ];
  for (const subject of sent) nc.publish(subject, 'x');
  await nc.flush();
  await eventually(
    () => acme.length === 4 && owned.length === 2 && chat.length === 1,
    'deliveries',
  );
  t.same(acme.sort(), [sent[0], sent[1], sent[2], sent[6]].sort(), 'only acme, not acme.evil');
  t.same(chat, [sent[0]], 'the room prefix matches only acme chat rooms');
  t.same(owned.sort(), [sent[1], sent[5]].sort(), 'the owner gets its rooms of every tenant');
});
