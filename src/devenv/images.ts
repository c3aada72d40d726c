import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../common/index.ts';
import { ErrorCodes, KubeguardError, silentLogger } from '../common/index.ts';
import type { Descriptor, ImageManifest, ImageIndex, RegistryClient } from '../sbom/index.ts';
import { isIndexMediaType, parseReference } from '../sbom/index.ts';
import type { LayerResult } from './oci-layout.ts';
import { OciLayoutReader, OciLayoutWriter } from './oci-layout.ts';
import type { DevPaths } from './paths.ts';
import { run, which } from './proc.ts';

/**
 * Real test images, built without a Docker engine from Debian packages and files we write, kept
 * as OCI layouts in the cache and pushed to the local registry. Bump `version` when a recipe
 * changes: the cache key includes it.
 */
export interface TestImage {
  /** Repository and tag in the registry, e.g. "test/busybox:1.35". */
  name: string;
  version: number;
  description: string;
  build(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<Descriptor | BuiltImage>;
}

/** One package as the image's own package manager reported it, paths as seen inside the image. */
export interface OraclePackage {
  name: string;
  version: string;
  /** Where it is installed (npm package directory, dist-info directory, jar, binary). */
  path?: string;
  /** Source package (rpm SOURCERPM). */
  source?: string;
  epoch?: number;
  /** Maven groupId. */
  group?: string;
  /** Files it owns, per the package manager. */
  files?: string[];
}

/**
 * What the package manager said it installed while the image was built: the oracle the SBOM tests
 * compare against. Kept beside the cached layout, not inside the image.
 */
export interface OracleManifest {
  /** Package manager and version, e.g. "npm 11.19.1". */
  tool: string;
  /** The command whose output is `raw`. */
  command: string;
  packages: OraclePackage[];
  /** The command's output, verbatim. */
  raw: string;
}

export interface BuiltImage {
  root: Descriptor;
  manifest?: OracleManifest;
}

/** File name of the oracle manifest inside the cached layout directory (OCI tools ignore it). */
export const ORACLE_MANIFEST_FILE = 'kubeguard-oracle.json';

const amd64 = { os: 'linux', architecture: 'amd64' };

function writeTree(root: string, files: Record<string, string | { symlink: string }>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(file, content);
    else fs.symlinkSync(content.symlink, file);
  }
}

function dpkgStatus(packages: { name: string; version: string; arch?: string; source?: string }[]): string {
  return packages
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        'Priority: optional',
        'Section: misc',
        'Installed-Size: 100',
        'Maintainer: Kubeguard Tests <tests@kubeguard.invalid>',
        `Architecture: ${p.arch ?? 'amd64'}`,
        ...(p.source ? [`Source: ${p.source}`] : []),
        `Version: ${p.version}`,
        `Description: test package ${p.name}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

const osRelease = (id: string, version: string, pretty: string) =>
  `PRETTY_NAME="${pretty}"\nNAME="${pretty}"\nID=${id}\nVERSION_ID="${version}"\n`;

function requireTool(program: string, what: string, hint: string, extraDirs: string[] = []): string {
  const found = which(program, extraDirs);
  if (!found) {
    throw new KubeguardError(ErrorCodes.prerequisite, `${program} is not installed; ${what} needs it`, {
      hint,
    });
  }
  return found;
}

/** Every file under `dir`, as absolute image paths below `imageDir`. */
function listFiles(dir: string, imageDir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((rel) => fs.lstatSync(path.join(dir, rel)).isFile())
    .map((rel) => path.posix.join(imageDir, rel.split(path.sep).join('/')))
    .sort();
}

/** An npm image: packages installed by npm itself from the registry, two layers (busybox, app). */
async function buildNpmImage(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<BuiltImage> {
  const npm = requireTool('npm', 'the npm test image', 'install Node.js with npm');
  const root = path.join(scratch, 'npm-root');
  const app = path.join(root, 'app');
  fs.mkdirSync(app, { recursive: true });
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  logger.info('npm install express@4.18.2 lodash@4.17.21 (from the npm registry)');
  await run(
    npm,
    [
      'install',
      '--prefix',
      app,
      '--no-audit',
      '--ignore-scripts',
      '--omit=dev',
      'express@4.18.2',
      'lodash@4.17.21',
    ],
    { env },
  );
  const command = 'npm ls --json --all --long';
  const raw = await run(npm, ['ls', '--json', '--all', '--long', '--prefix', app], { env });
  interface NpmNode {
    version?: string;
    path?: string;
    dependencies?: Record<string, NpmNode>;
  }
  const byPath = new Map<string, OraclePackage>();
  const walk = (node: NpmNode): void => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      if (dep.path && dep.version) {
        const imagePath = `/${path.relative(root, dep.path).split(path.sep).join('/')}`;
        byPath.set(imagePath, { name, version: dep.version, path: imagePath });
      }
      walk(dep);
    }
  };
  walk(JSON.parse(raw) as NpmNode);
  const version = (await run(npm, ['--version'], { env })).trim();
  const layers = [await busyboxLayer(layout, scratch), await layout.addLayerFromDirectory(root)];
  return {
    root: layout.writeImage(layers, amd64, { Cmd: ['/bin/sh'], Env: ['NODE_ENV=production'] }),
    manifest: {
      tool: `npm ${version}`,
      command,
      packages: [...byPath.values()].sort((a, b) => (a.path! < b.path! ? -1 : 1)),
      raw,
    },
  };
}

const PYTHON_REQUIREMENTS = [
  'requests==2.31.0',
  'urllib3==2.0.7',
  'idna==3.6',
  'charset-normalizer==3.3.2',
  'certifi==2023.11.17',
];

/** A Python image: pip installs requests and its dependencies (dist-info with METADATA and RECORD). */
async function buildPythonImage(
  layout: OciLayoutWriter,
  scratch: string,
  logger: Logger,
): Promise<BuiltImage> {
  const python = requireTool('python3', 'the Python test image', 'install python3 with pip');
  const root = path.join(scratch, 'python-root');
  const imageDir = '/usr/lib/python3/site-packages';
  const target = path.join(root, imageDir);
  fs.mkdirSync(target, { recursive: true });
  const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  logger.info(`pip install ${PYTHON_REQUIREMENTS.join(' ')} (from PyPI)`);
  await run(
    python,
    ['-m', 'pip', 'install', '--no-cache-dir', '--no-compile', '--target', target, ...PYTHON_REQUIREMENTS],
    {
      env,
    },
  );
  const command = `pip list --path ${imageDir} --format json`;
  const raw = await run(python, ['-m', 'pip', 'list', '--path', target, '--format', 'json'], { env });
  // RECORD as Python's own importlib.metadata reads it: the files each distribution owns.
  const filesJson = await run(
    python,
    [
      '-c',
      'import importlib.metadata as m, json, sys\n' +
        'print(json.dumps({d.metadata["Name"]: {"path": str(d._path), "files": [str(f) for f in (d.files or [])]} for d in m.distributions(path=[sys.argv[1]])}))',
      target,
    ],
    { env },
  );
  const owned = JSON.parse(filesJson) as Record<string, { path: string; files: string[] }>;
  const toImage = (p: string) => `/${path.relative(root, p).split(path.sep).join('/')}`;
  const packages = (JSON.parse(raw) as { name: string; version: string }[]).map((p): OraclePackage => {
    const entry = Object.entries(owned).find(([n]) => n.toLowerCase() === p.name.toLowerCase())?.[1];
    return {
      name: p.name,
      version: p.version,
      ...(entry
        ? {
            path: toImage(entry.path),
            files: entry.files.map((f) => path.posix.normalize(path.posix.join(imageDir, f))).sort(),
          }
        : {}),
    };
  });
  const version =
    (await run(python, ['-m', 'pip', '--version'], { env })).split(' from ')[0]?.trim() ?? 'pip';
  const layers = [await busyboxLayer(layout, scratch), await layout.addLayerFromDirectory(root)];
  return {
    root: layout.writeImage(layers, amd64, { Cmd: ['/bin/sh'], Env: [`PYTHONPATH=${imageDir}`] }),
    manifest: { tool: version, command, packages: packages.sort((a, b) => (a.name < b.name ? -1 : 1)), raw },
  };
}

/** Parses `go version -m`: the toolchain (syft's "stdlib"), the main module and every dependency. */
export function parseGoVersionM(output: string, imagePath: string): OraclePackage[] {
  const packages: OraclePackage[] = [];
  const lines = output.split('\n');
  const toolchain = /^[^:]+: (go[\w.]+)/.exec(lines[0] ?? '')?.[1];
  if (toolchain) packages.push({ name: 'stdlib', version: toolchain, path: imagePath });
  for (const line of lines) {
    const f = line.trim().split('\t');
    if (f[0] === 'mod' || f[0] === 'dep')
      packages.push({ name: f[1] ?? '', version: f[2] ?? '', path: imagePath });
    // A replaced module: the replacement's version is what was built.
    if (f[0] === '=>' && packages.length > 0) packages[packages.length - 1]!.version = f[2] ?? '';
  }
  return packages;
}

/** A Go image: a tiny module with one real dependency from the Go module proxy, built with module info. */
async function buildGoImage(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<BuiltImage> {
  const go = requireTool('go', 'the Go test image', 'install Go (e.g. /usr/local/go)', ['/usr/local/go/bin']);
  const src = path.join(scratch, 'go-src');
  writeTree(src, {
    'go.mod': 'module example.com/kubeguard/hello\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n',
    'main.go': [
      'package main',
      '',
      'import (',
      '\t"fmt"',
      '',
      '\t"github.com/google/uuid"',
      ')',
      '',
      'func main() { fmt.Println(uuid.NewString()) }',
      '',
    ].join('\n'),
  });
  const env = { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false -mod=mod' };
  logger.info('go build example.com/kubeguard/hello (github.com/google/uuid v1.6.0 from the module proxy)');
  await run(go, ['mod', 'download', 'github.com/google/uuid'], { cwd: src, env });
  const root = path.join(scratch, 'go-root');
  const binary = path.join(root, 'usr/local/bin/hello');
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  await run(go, ['build', '-trimpath', '-o', binary, '.'], { cwd: src, env });
  const command = 'go version -m /usr/local/bin/hello';
  const raw = await run(go, ['version', '-m', binary], { env });
  const layers = [await busyboxLayer(layout, scratch), await layout.addLayerFromDirectory(root)];
  return {
    root: layout.writeImage(layers, amd64, { Cmd: ['/usr/local/bin/hello'] }),
    manifest: {
      tool: (await run(go, ['version'], { env })).trim(),
      command,
      packages: parseGoVersionM(raw.split(binary).join('/usr/local/bin/hello'), '/usr/local/bin/hello'),
      raw,
    },
  };
}

const JARS = [
  { group: 'org.apache.commons', artifact: 'commons-lang3', version: '3.14.0' },
  { group: 'org.slf4j', artifact: 'slf4j-api', version: '2.0.9' },
];

/** `key=value` lines of a pom.properties file. */
function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out[m[1] as string] = (m[2] as string).trim();
  }
  return out;
}

/** A Java image: real jars from Maven Central (checksums verified), read back by their pom.properties. */
async function buildJavaImage(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<BuiltImage> {
  const curl = requireTool('curl', 'the Java test image', 'apt-get install curl');
  const python = requireTool(
    'python3',
    'the Java test image (reads pom.properties from the jars)',
    'install python3',
  );
  const mirror = (process.env.KUBEGUARD_MAVEN_MIRROR ?? 'https://repo1.maven.org/maven2').replace(/\/$/, '');
  const root = path.join(scratch, 'java-root');
  const lib = path.join(root, 'opt/app/lib');
  fs.mkdirSync(lib, { recursive: true });
  const packages: OraclePackage[] = [];
  const raws: string[] = [];
  for (const jar of JARS) {
    const file = `${jar.artifact}-${jar.version}.jar`;
    const url = `${mirror}/${jar.group.replace(/\./g, '/')}/${jar.artifact}/${jar.version}/${file}`;
    logger.info(`downloading ${url}`);
    const dest = path.join(lib, file);
    await run(curl, ['-fsSL', '--retry', '3', '-o', dest, url]);
    const expected = (await run(curl, ['-fsSL', '--retry', '3', `${url}.sha1`])).trim().split(/\s+/)[0];
    const actual = createHash('sha1').update(fs.readFileSync(dest)).digest('hex');
    if (expected !== actual) {
      throw new KubeguardError(ErrorCodes.integrity, `${url}: SHA-1 ${actual} does not match ${expected}`);
    }
    const entry = `META-INF/maven/${jar.group}/${jar.artifact}/pom.properties`;
    const text = await run(python, [
      '-c',
      'import sys, zipfile\nsys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())',
      dest,
      entry,
    ]);
    raws.push(`# /opt/app/lib/${file}!${entry}\n${text}`);
    const props = parseProperties(text);
    packages.push({
      name: props.artifactId ?? jar.artifact,
      version: props.version ?? '',
      group: props.groupId,
      path: `/opt/app/lib/${file}`,
    });
  }
  const layers = [await busyboxLayer(layout, scratch), await layout.addLayerFromDirectory(root)];
  return {
    root: layout.writeImage(layers, amd64, { Cmd: ['/bin/sh'] }),
    manifest: {
      tool: 'maven-central',
      command: 'zipfile.read(<jar>, META-INF/maven/<group>/<artifact>/pom.properties)',
      packages,
      raw: raws.join('\n'),
    },
  };
}

const RPM_SPECS: Record<string, string> = {
  'kubeguard-hello.spec': `Name: kubeguard-hello
Version: 1.2.3
Release: 4
Epoch: 1
Summary: Kubeguard test package with an epoch and a subpackage
License: MIT
BuildArch: noarch
%description
A tiny package built for the rpm test image.
%package data
Summary: Data files of kubeguard-hello
%description data
Data files, a subpackage built from the same source rpm.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/kubeguard-hello
printf '#!/bin/sh\\necho hello\\n' > %{buildroot}/usr/bin/kubeguard-hello
chmod 755 %{buildroot}/usr/bin/kubeguard-hello
echo greeting > %{buildroot}/usr/share/kubeguard-hello/greeting.txt
%files
/usr/bin/kubeguard-hello
%files data
/usr/share/kubeguard-hello/greeting.txt
`,
  'kubeguard-tools.spec': `Name: kubeguard-tools
Version: 0.9
Release: 1
Summary: Kubeguard test package without an epoch
License: Apache-2.0
BuildArch: noarch
%description
Another tiny package.
%install
mkdir -p %{buildroot}/usr/share/kubeguard-tools
echo tools > %{buildroot}/usr/share/kubeguard-tools/README
%files
/usr/share/kubeguard-tools/README
`,
};

/** An rpm image: packages built with Debian's rpmbuild and installed into a fresh SQLite rpmdb. */
async function buildRpmImage(layout: OciLayoutWriter, scratch: string, logger: Logger): Promise<BuiltImage> {
  const rpmbuild = requireTool('rpmbuild', 'the rpm test image', 'apt-get install rpm');
  const rpm = requireTool('rpm', 'the rpm test image', 'apt-get install rpm');
  const top = path.join(scratch, 'rpmbuild');
  const root = path.join(scratch, 'rpm-root');
  fs.mkdirSync(path.join(top, 'SPECS'), { recursive: true });
  fs.mkdirSync(root, { recursive: true });
  logger.info('rpmbuild kubeguard-hello, kubeguard-tools; rpm -ivh into a fresh rpmdb');
  for (const [file, spec] of Object.entries(RPM_SPECS)) {
    fs.writeFileSync(path.join(top, 'SPECS', file), spec);
    await run(rpmbuild, ['--quiet', '--define', `_topdir ${top}`, '-bb', path.join(top, 'SPECS', file)]);
  }
  const rpms = listFiles(path.join(top, 'RPMS'), '/').map((p) => path.join(top, 'RPMS', p));
  // Debian's rpm defaults its database to ~/.rpmdb: always name /var/lib/rpm inside the root.
  const db = ['--root', root, '--dbpath', '/var/lib/rpm'];
  await run(rpm, [...db, '--initdb']);
  await run(rpm, [...db, '-ivh', '--nodeps', '--noscripts', ...rpms]);
  const sqlite = path.join(root, 'var/lib/rpm/rpmdb.sqlite');
  // Fold the write-ahead log into the database so the image holds one self-contained file.
  const conn = new Database(sqlite);
  conn.pragma('wal_checkpoint(TRUNCATE)');
  conn.close();
  for (const extra of ['-wal', '-shm']) fs.rmSync(`${sqlite}${extra}`, { force: true });
  const format = '%{NAME}\t%{EPOCHNUM}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n';
  const command = `rpm --root R --dbpath /var/lib/rpm -qa --qf '${JSON.stringify(format).slice(1, -1)}'`;
  const raw = await run(rpm, [...db, '-qa', '--qf', format]);
  const files = await run(rpm, [...db, '-qa', '--qf', '[%{=NAME}\t%{FILENAMES}\n]']);
  const owned = new Map<string, string[]>();
  for (const line of files.split('\n').filter(Boolean)) {
    const [name, file] = line.split('\t') as [string, string];
    owned.set(name, [...(owned.get(name) ?? []), file]);
  }
  const packages = raw
    .split('\n')
    .filter(Boolean)
    .map((line): OraclePackage => {
      const [name, , epoch, version, release, , source] = line.split('\t') as string[];
      return {
        name: name as string,
        version: `${version}-${release}`,
        ...(epoch && epoch !== '(none)' ? { epoch: Number(epoch) } : {}),
        source,
        files: (owned.get(name as string) ?? []).sort(),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const layers = [await layout.addLayerFromDirectory(root)];
  return {
    root: layout.writeImage(layers, amd64),
    manifest: { tool: (await run(rpm, ['--version'])).trim(), command, packages, raw },
  };
}

async function busyboxLayer(layout: OciLayoutWriter, scratch: string): Promise<LayerResult> {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) {
    throw new KubeguardError(
      ErrorCodes.prerequisite,
      'busybox is not installed; the busybox test image copies it',
      {
        hint: 'apt-get install busybox-static (or run `npm run setup`)',
      },
    );
  }
  const root = path.join(scratch, 'busybox');
  writeTree(root, {
    'etc/os-release': osRelease('busybox', '1.35', 'BusyBox'),
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
    ...Object.fromEntries(
      ['sh', 'ls', 'cat', 'echo', 'sleep', 'env'].map((a) => [`bin/${a}`, { symlink: 'busybox' }]),
    ),
  });
  fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  return layout.addLayerFromDirectory(root);
}

export const testImages: TestImage[] = [
  {
    name: 'test/busybox:1.35',
    version: 1,
    description: 'one layer: the static busybox binary of Debian, applet links, /etc/os-release',
    async build(layout, scratch) {
      return layout.writeImage([await busyboxLayer(layout, scratch)], amd64, { Cmd: ['/bin/sh'] });
    },
  },
  {
    name: 'test/debian:12-minbase',
    version: 1,
    description: 'Debian 12 minbase from mmdebstrap: a real /var/lib/dpkg/status with ~90 packages',
    async build(layout, scratch, logger) {
      if (!which('mmdebstrap')) {
        throw new KubeguardError(
          ErrorCodes.prerequisite,
          'mmdebstrap is not installed; the Debian test image needs it',
          {
            hint: 'apt-get install mmdebstrap (or run `npm run setup`)',
          },
        );
      }
      const mirror = process.env.KUBEGUARD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
      const tarFile = path.join(scratch, 'debian.tar');
      logger.info(`debootstrapping Debian 12 minbase from ${mirror} (about 20 s)`);
      await run('mmdebstrap', [
        '--variant=minbase',
        '--quiet',
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*',
        'bookworm',
        tarFile,
        mirror,
      ]);
      const layer = await layout.addLayerFromTarFile(tarFile);
      return layout.writeImage([layer], amd64, { Cmd: ['/bin/bash'] });
    },
  },
  {
    name: 'test/multiarch:1',
    version: 1,
    description:
      'an OCI index: linux/amd64 is the busybox image, linux/arm64 a marker layer (no arm64 binaries are available here)',
    async build(layout, scratch) {
      const amd = layout.writeImage([await busyboxLayer(layout, scratch)], amd64, { Cmd: ['/bin/sh'] });
      const armRoot = path.join(scratch, 'arm64');
      writeTree(armRoot, {
        'etc/os-release': osRelease('busybox', '1.35', 'BusyBox'),
        'etc/kubeguard-platform': 'linux/arm64/v8\n',
      });
      const arm = layout.writeImage([await layout.addLayerFromDirectory(armRoot)], {
        os: 'linux',
        architecture: 'arm64',
        variant: 'v8',
      });
      return layout.writeIndex([amd, arm]);
    },
  },
  {
    name: 'test/whiteouts:1',
    version: 1,
    description:
      'three layers with a deleted file (.wh.), an opaque directory (.wh..wh..opq) and a replaced dpkg status; squashed, it holds one package',
    async build(layout, scratch) {
      const l1 = path.join(scratch, 'l1');
      writeTree(l1, {
        'etc/os-release': osRelease('debian', '12', 'Debian GNU/Linux 12 (bookworm)'),
        'app/keep.txt': 'version 1\n',
        'app/remove-me.txt': 'deleted by layer 2\n',
        'data/old/a.txt': 'hidden by the opaque directory in layer 2\n',
        'data/old/b.txt': 'hidden by the opaque directory in layer 2\n',
        'var/lib/dpkg/status': dpkgStatus([
          { name: 'base-files', version: '12.4+deb12u5' },
          { name: 'removed-later', version: '1.0-1', source: 'removed-src' },
        ]),
      });
      const l2 = path.join(scratch, 'l2');
      writeTree(l2, {
        'app/.wh.remove-me.txt': '',
        'app/added.txt': 'added by layer 2\n',
        'data/old/.wh..wh..opq': '',
        'data/old/c.txt': 'the only file left in /data/old\n',
        'var/lib/dpkg/status': dpkgStatus([{ name: 'base-files', version: '12.4+deb12u5' }]),
      });
      const l3 = path.join(scratch, 'l3');
      writeTree(l3, { 'app/keep.txt': 'version 3\n' });
      const layers = [];
      for (const dir of [l1, l2, l3]) layers.push(await layout.addLayerFromDirectory(dir));
      return layout.writeImage(layers, amd64);
    },
  },
  {
    name: 'test/npm:1',
    version: 1,
    description:
      'busybox plus /app/node_modules from `npm install express@4.18.2 lodash@4.17.21`; oracle: `npm ls --json --all --long`',
    build: buildNpmImage,
  },
  {
    name: 'test/python:1',
    version: 1,
    description:
      'busybox plus requests 2.31.0 and its dependencies from `pip install --target /usr/lib/python3/site-packages`; oracle: `pip list --path`',
    build: buildPythonImage,
  },
  {
    name: 'test/go:1',
    version: 1,
    description:
      'busybox plus /usr/local/bin/hello, built by `go build` with github.com/google/uuid v1.6.0; oracle: `go version -m`',
    build: buildGoImage,
  },
  {
    name: 'test/java:1',
    version: 1,
    description:
      'busybox plus commons-lang3 3.14.0 and slf4j-api 2.0.9 jars from Maven Central in /opt/app/lib; oracle: their pom.properties',
    build: buildJavaImage,
  },
  {
    name: 'test/rpm:1',
    version: 1,
    description:
      'packages built with rpmbuild and installed with `rpm -ivh` into /var/lib/rpm/rpmdb.sqlite (epoch, subpackage); oracle: `rpm -qa`',
    build: buildRpmImage,
  },
];

export function imageLayoutDir(paths: DevPaths, image: TestImage): string {
  return path.join(paths.cacheDir, 'images', `${image.name.replace(/[/:]/g, '_')}-v${image.version}`);
}

/** Builds the image's OCI layout unless the cache has a complete one. */
export async function buildTestImage(
  paths: DevPaths,
  image: TestImage,
  options: { rebuild?: boolean; logger?: Logger } = {},
): Promise<{ dir: string; cached: boolean }> {
  const dir = imageLayoutDir(paths, image);
  const stamp = path.join(dir, '.complete');
  if (!options.rebuild && fs.existsSync(stamp)) return { dir, cached: true };
  fs.rmSync(dir, { recursive: true, force: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-image-'));
  try {
    const layout = new OciLayoutWriter(dir);
    const built = await image.build(layout, scratch, options.logger ?? silentLogger);
    const root = 'root' in built ? built.root : built;
    layout.tag(root, image.name.split(':')[1] ?? 'latest');
    layout.finish();
    if ('root' in built && built.manifest) {
      fs.writeFileSync(path.join(dir, ORACLE_MANIFEST_FILE), `${JSON.stringify(built.manifest, null, 2)}\n`);
    }
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
    return { dir, cached: false };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The oracle manifest recorded when the image was built, if its recipe records one. */
export function readOracleManifest(paths: DevPaths, image: TestImage): OracleManifest | undefined {
  const file = path.join(imageLayoutDir(paths, image), ORACLE_MANIFEST_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as OracleManifest;
}

/** Pushes every blob and manifest of an OCI layout to `registry/name` (blobs the registry has are skipped). */
export async function pushLayout(client: RegistryClient, dir: string, target: string): Promise<string> {
  const ref = parseReference(target);
  const reader = new OciLayoutReader(dir);
  const root = reader.refs()[0];
  if (!root) throw new KubeguardError(ErrorCodes.invalidInput, `OCI layout ${dir} names no image`);
  const pushManifest = async (descriptor: Descriptor): Promise<void> => {
    const bytes = reader.blob(descriptor.digest);
    if (isIndexMediaType(descriptor.mediaType)) {
      for (const child of (JSON.parse(bytes.toString('utf8')) as ImageIndex).manifests)
        await pushManifest(child);
    } else {
      const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      for (const blob of [manifest.config, ...manifest.layers]) {
        await client.pushBlob(ref, reader.blob(blob.digest), blob.digest);
      }
    }
    await client.pushManifest(ref, descriptor.digest, descriptor.mediaType, bytes);
  };
  await pushManifest(root);
  return client.pushManifest(ref, ref.tag ?? 'latest', root.mediaType, reader.blob(root.digest));
}
