import fc from 'fast-check';
import t from 'tap';
import { isValidRoomName, MAX_ROOM_NAME_LENGTH } from '../../proto/wire/index.js';
import { AuthError, assertValidRoomName, RoomPattern } from '../../src/auth/index.js';

t.test('room pattern - matches by segment', async (t) => {
  const table: Array<[string, string, boolean]> = [
    ['lobby', 'lobby', true],
    ['lobby', 'lobby2', false],
    ['lobby', 'lobby.x', false],
    ['chat.*', 'chat.general', true],
    ['chat.*', 'chat', false],
    ['chat.*', 'chat.general.x', false],
    ['chat.*', 'chats.general', false],
    ['chat.*', 'chatx', false],
    ['*', 'lobby', true],
    ['*', 'a.b', false],
    ['*.x', 'a.x', true],
    ['*.x', 'a.y', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['a.*.c', 'a.c', false],
    ['*.*', 'a.b', true],
    ['*.*', 'a', false],
    ['game.>', 'game.1', true],
    ['game.>', 'game.1.chat.x', true],
    ['game.>', 'game', false],
    ['game.>', 'games.1', false],
    ['game.>', 'gamez', false],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['*.>', 'a', false],
    ['*.>', 'a.b', true],
    ['*.>', 'a.b.c', true],
    ['t:1.@user.>', 't:1.@user.inbox', true],
    ['room-1_x', 'room-1_x', true],
    ['Chat.*', 'chat.x', false],
    // Invalid concrete rooms never match, even a catch-all.
    ['>', 'chat.*', false],
    ['>', 'a..b', false],
    ['>', '', false],
    ['chat.*', 'chat.>', false],
    ['game.>', 'game.1.', false],
    ['>', 'x'.repeat(MAX_ROOM_NAME_LENGTH + 1), false],
  ];
  for (const [pattern, room, expected] of table) {
    t.equal(RoomPattern.compile(pattern).matches(room), expected, `${pattern} vs ${room}`);
  }
});

t.test('room pattern - invalid patterns are refused with a typed error', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    ['', /must not be empty/],
    ['a..b', /empty segments/],
    ['.a', /empty segments/],
    ['a.', /empty segments/],
    ['game.>.x', /> only as the last segment/],
    ['>.x', /> only as the last segment/],
    ['chat*', /invalid segment "chat\*"/],
    ['ch>at', /invalid segment/],
    ['a b', /invalid segment/],
    ['caf\u00e9', /invalid segment/],
    ['a/b', /invalid segment/],
    ['x'.repeat(MAX_ROOM_NAME_LENGTH + 1), /at most 200 characters/],
    [42, /must be a string/],
    [null, /must be a string/],
  ];
  for (const [pattern, message] of bad) {
    t.throws(
      () => RoomPattern.compile(pattern),
      { code: 'ARQ_ERR_ROOM_PATTERN', message },
      String(pattern),
    );
  }
  let err: unknown;
  try {
    RoomPattern.compile('a..b');
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof AuthError);
  t.equal((err as AuthError).isTokenRejection, false);
});

t.test('room pattern - source, toString and JSON give the pattern back', async (t) => {
  const p = RoomPattern.compile('game.*.>');
  t.equal(p.source, 'game.*.>');
  t.equal(String(p), 'game.*.>');
  t.equal(JSON.stringify({ rooms: [p] }), '{"rooms":["game.*.>"]}');
  t.ok(Object.isFrozen(p));
});

t.test('room name - validity', async (t) => {
  const valid = [
    'lobby',
    'chat.general',
    'a.b.c',
    'user:42',
    '@team',
    'x-y_z',
    'A1',
    'x'.repeat(MAX_ROOM_NAME_LENGTH),
  ];
  for (const room of valid) {
    t.ok(isValidRoomName(room), `${room.slice(0, 20)} is valid`);
    t.doesNotThrow(() => assertValidRoomName(room));
  }
  const invalid: Array<[unknown, RegExp]> = [
    ['', /must not be empty/],
    ['x'.repeat(MAX_ROOM_NAME_LENGTH + 1), /at most 200 characters, got 201/],
    ['chat.*', /wildcards/],
    ['game.>', /wildcards/],
    ['a..b', /empty segments/],
    ['.a', /empty segments/],
    ['a.', /empty segments/],
    ['a b', /may only contain/],
    ['a/b', /may only contain/],
    ['\u00e9t\u00e9', /may only contain/],
    ['a\nb', /may only contain/],
    [7, /must be a string/],
    [undefined, /must be a string/],
  ];
  for (const [room, message] of invalid) {
    t.notOk(isValidRoomName(room), `${JSON.stringify(room)} is invalid`);
    t.throws(() => assertValidRoomName(room), { code: 'ARQ_ERR_ROOM_NAME', message });
  }
});

t.test('room pattern - properties over generated room names', async (t) => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_\-:@]{1,8}$/);
  const room = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.'));
  fc.assert(
    fc.property(room, (r) => {
      const parts = r.split('.');
      return (
        isValidRoomName(r) &&
        RoomPattern.compile(r).matches(r) &&
        RoomPattern.compile('>').matches(r) &&
        !RoomPattern.compile(`${r}.>`).matches(r) &&
        RoomPattern.compile(parts.map(() => '*').join('.')).matches(r) &&
        RoomPattern.compile(`${parts[0]}.>`).matches(r) === parts.length > 1
      );
    }),
    { seed: 424_242, numRuns: 500 },
  );
  t.pass('properties held for 500 generated rooms');
});
