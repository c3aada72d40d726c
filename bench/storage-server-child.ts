// The storage API server alone, for bench/storage-server.ts: one process, one core, allow-all auth.
import fs from 'node:fs';
import { allowAll, createStorageServer, openSqliteStore } from '../src/storage/index.ts';

const [dir, certFile, keyFile] = process.argv.slice(2) as [string, string, string];
const store = openSqliteStore({ file: `${dir}/store.sqlite` });
const server = createStorageServer({
  store,
  ...allowAll,
  tls: { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) },
});
const address = await server.listen(0);
process.stdout.write(`${address.port}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => {
    store.close();
    process.exit(0);
  });
});
