// Child process of sqlite-crash.test.ts: applies crashOps() forever and prints "<index>" on stdout
// after each write returned (stdout to a pipe is synchronous on Linux), until it is killed.
import { openSqliteStore } from '../sqlite.ts';
import { RESOURCE, crashObject, crashOps } from './fixtures.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-writer.ts FILE');
const store = openSqliteStore({ file });
for (const op of crashOps()) {
  if (op.kind === 'create') store.create(RESOURCE, crashObject(op));
  else if (op.kind === 'update') store.update(RESOURCE, crashObject(op));
  else store.delete(RESOURCE, 'kubescape', op.name);
  process.stdout.write(`${op.index}\n`);
}
