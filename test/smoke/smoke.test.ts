import t from 'tap';

t.test('smoke - arithmetic', async (t) => {
  t.equal(1 + 1, 2);
});
