/**
 * The durable room store against a real nats-server with JetStream: two stores of one room stand
 * for an old owner whose write lands late and the room that replaced it.
 */
import t from 'tap';
import type { StoredEntry } from '../../actors/index.js';
import { RoomStreams, StorageError } from '../../src/storage/index.js';
import { startNatsServer } from '../helpers/nats-server.js';

const ROOM_KEY = 't1|d.store';

function entry(offset: number, text: string): StoredEntry {
  return { epoch: 'E1', offset, ts: Date.now(), payload: new TextEncoder().encode(text) };
}

t.test(
  'jetstream room store - a write at a position stored by another writer is a conflict',
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const streams = new RoomStreams({
      config: {
        servers: nats.url,
        user: null,
        password: null,
        name: 'store-test',
        rooms: { patterns: ['d.>'] },
      },
      log: () => {},
    });
    t.teardown(() => streams.close());
    // The first call waits for the connection being made rather than failing at once.
    const old = streams.storeOf(ROOM_KEY);
    const replacement = streams.storeOf(ROOM_KEY);
    if (old === null || replacement === null) throw new TypeError('d.store is durable');
    t.equal(await old.load(), null, 'an empty room at first');
    await old.append([entry(1, 'one')]);

    // The replacement reads the stream before the old owner's second write lands.
    const state = await replacement.load();
    t.equal(state?.offset, 1, 'the replacement sees offset 1');
    await old.append([entry(2, 'two, from the old owner')]);

    // Same epoch and offset: the same Msg-Id, which JetStream would answer as a duplicate ok.
    const error = await replacement.append([entry(2, 'two, from the replacement')]).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(error instanceof StorageError, 'refused');
    t.equal((error as StorageError).code, 'ARQ_ERR_STORAGE_CONFLICT', 'as a conflict');

    const after = await replacement.load();
    t.equal(after?.offset, 2);
    t.equal(
      new TextDecoder().decode(after?.history.at(-1)?.payload),
      'two, from the old owner',
      'what is stored at 2 is the old owner’s message, and the replacement now knows it',
    );
    await replacement.append([entry(3, 'three')]);
    t.equal((await old.load())?.offset, 3, 'the replacement goes on from there');
  },
);
