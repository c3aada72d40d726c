// The storage API server alone, for bench/storage-server.ts: the compiled code (as deployed, no
// TypeScript loader in memory), one process, allow-all auth.
import fs from 'node:fs';
import { allowAll, createStorageServer, openSqliteStore } from '../dist/storage/index.js';

const [dir, certFile, keyFile] = process.argv.slice(2);
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
// The benchmark asks for a breakdown of the server's memory.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const mib = (n) => `${(n / 1048576).toFixed(0)} MiB`;
  process.stderr.write(
    `server memory: rss ${mib(m.rss)}, heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}\n`,
  );
});
