import t from 'tap';
import { errorAnswer, replyOk, WireError } from '../../proto/wire/index.js';

t.test('server frame - a failure with a ref is a reply, without one an error frame', async (t) => {
  const error = new WireError('bad_frame', 'room missing', { cause: new Error('x') });
  t.same(errorAnswer('r1', error), {
    op: 'reply',
    ref: 'r1',
    status: 'error',
    error: { code: 'bad_frame', message: 'room missing' },
  });
  t.same(errorAnswer(undefined, error), {
    op: 'error',
    error: { code: 'bad_frame', message: 'room missing' },
  });
  t.notOk(errorAnswer('r', error).error instanceof WireError, 'cause and stack stay behind');
});

t.test('server frame - replyOk', async (t) => {
  t.same(replyOk('r', { ts: 5 }), { op: 'reply', ref: 'r', status: 'ok', body: { ts: 5 } });
});
