import { byIdLoader } from '../graphql/by-id-loader';

interface Row {
  id: string;
  owner: string;
}

const rows: Row[] = [
  { id: 'b', owner: 'x' },
  { id: 'a', owner: 'y' },
  { id: 'c', owner: 'x' },
];

/** A fetch that answers in its own order, and remembers each batch it was asked for. */
function fetcher() {
  const batches: (readonly string[])[] = [];
  const fetchMany = (ids: readonly string[]) => {
    batches.push(ids);
    return Promise.resolve(rows.filter((row) => ids.includes(row.id) || ids.includes(row.owner)));
  };
  return { batches, fetchMany };
}

it('answers a batch in one fetch, in key order, with null for a missing key', async () => {
  const { batches, fetchMany } = fetcher();
  const loader = byIdLoader(fetchMany, (row) => row.id);
  const loaded = await Promise.all(['a', 'nope', 'b'].map((id) => loader.load(id)));
  expect(loaded).toEqual([rows[1], null, rows[0]]);
  expect(batches).toEqual([['a', 'nope', 'b']]);
});

it('rejects only the missing key when told what a miss is', async () => {
  const { fetchMany } = fetcher();
  const loader = byIdLoader(fetchMany, (row) => row.id, {
    missing: (id) => new Error(`no row ${id}`),
  });
  const [found, missing] = await Promise.allSettled([loader.load('c'), loader.load('nope')]);
  expect(found).toEqual({ status: 'fulfilled', value: rows[2] });
  expect(missing).toEqual({ status: 'rejected', reason: new Error('no row nope') });
});

it('gathers every value of a key, in fetch order, and [] for a key with none', async () => {
  const { batches, fetchMany } = fetcher();
  const loader = byIdLoader(fetchMany, (row) => row.owner, { many: true });
  const loaded = await Promise.all(['x', 'none', 'y'].map((owner) => loader.load(owner)));
  expect(loaded).toEqual([[rows[0], rows[2]], [], [rows[1]]]);
  expect(batches).toHaveLength(1);
});
