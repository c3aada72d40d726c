import fs from 'node:fs';
import path from 'node:path';
import { run } from './proc.ts';

/**
 * Certificates for the local control plane, made with the openssl CLI (EC P-256 keys: fast to
 * generate, accepted by kube-apiserver for serving, client and service-account signing).
 */
export interface CertRequest {
  /** File stem: writes <name>.crt and <name>.key. */
  name: string;
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client' | 'both';
  dnsNames?: string[];
  ips?: string[];
}

export interface Pki {
  dir: string;
  file(name: string, ext: 'crt' | 'key' | 'pub'): string;
}

export function pki(dir: string): Pki {
  return { dir, file: (name, ext) => path.join(dir, `${name}.${ext}`) };
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed CA, kept if it already exists. */
export async function ensureCa(p: Pki, name: string, commonName: string): Promise<void> {
  if (fs.existsSync(p.file(name, 'crt')) && fs.existsSync(p.file(name, 'key'))) return;
  fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  await run('openssl', [
    'req', '-x509', ...keyArgs,
    '-keyout', p.file(name, 'key'), '-out', p.file(name, 'crt'),
    '-days', '3650', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]); // prettier-ignore
}

function subject(req: CertRequest): string {
  const orgs = (req.organizations ?? []).map((o) => `/O=${o}`).join('');
  return `${orgs}/CN=${req.commonName}`;
}

/** A leaf certificate signed by the CA, kept if it already exists. */
export async function ensureCert(p: Pki, ca: string, req: CertRequest): Promise<void> {
  const crt = p.file(req.name, 'crt');
  const key = p.file(req.name, 'key');
  if (fs.existsSync(crt) && fs.existsSync(key)) return;
  const csr = path.join(p.dir, `${req.name}.csr`);
  const ext = path.join(p.dir, `${req.name}.ext`);
  const eku = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[req.usage];
  const san = [...(req.dnsNames ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((i) => `IP:${i}`)];
  fs.writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${eku}`,
      ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
    ].join('\n'),
  );
  await run('openssl', ['req', '-new', ...keyArgs, '-keyout', key, '-out', csr, '-subj', subject(req)]);
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', p.file(ca, 'crt'), '-CAkey', p.file(ca, 'key'),
    '-CAcreateserial', '-out', crt, '-days', '825', '-extfile', ext,
  ]); // prettier-ignore
  fs.rmSync(csr, { force: true });
  fs.rmSync(ext, { force: true });
  fs.chmodSync(key, 0o600);
}

/** A key pair for signing service-account tokens. */
export async function ensureKeyPair(p: Pki, name: string): Promise<void> {
  if (fs.existsSync(p.file(name, 'key')) && fs.existsSync(p.file(name, 'pub'))) return;
  fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p.file(name, 'key')]);
  await run('openssl', ['ec', '-in', p.file(name, 'key'), '-pubout', '-out', p.file(name, 'pub')]);
  fs.chmodSync(p.file(name, 'key'), 0o600);
}
