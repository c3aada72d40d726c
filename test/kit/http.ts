import https from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A small HTTPS client for talking to a server under test (keep-alive agent, CA pinned). */
export function client(base: string, ca: Buffer) {
  const agent = new https.Agent({ keepAlive: true, ca, maxSockets: 16 });
  const request = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = https.request(
        `${base}${path}`,
        {
          method,
          agent,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return { request, agent, close: () => agent.destroy() };
}

/** Opens a watch and collects its events until `stop()`. */
export function watchStream(base: string, ca: Buffer, path: string, headers: Record<string, string> = {}) {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  let buffer = '';
  let status = 0;
  const waiters: (() => void)[] = [];
  const req = https.get(
    `${base}${path}`,
    { ca, headers: { accept: 'application/json', ...headers } },
    (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
          for (const w of waiters.splice(0)) w();
        }
      });
    },
  );
  req.on('error', () => {});
  return {
    events,
    status: () => status,
    async waitFor(count: number, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline)
          throw new Error(`watch ${path}: ${events.length} of ${count} events after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    stop: () => req.destroy(),
  };
}
