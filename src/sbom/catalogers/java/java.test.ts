import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CatalogTester, MemoryResolver } from '../testkit.ts';
import { parseArchiveFilename } from './archive.ts';
import { parseManifest, parseProperties } from './manifest.ts';
import { readCentralDirectory, readEntry } from './zip.ts';
import { createJavaArchiveCataloguer, javaArchiveCataloguer } from './index.ts';

const hasZip = spawnSync('zip', ['-v']).status === 0;
let dir: string;

/** Builds a zip with Info-ZIP from `files` (name -> contents or another archive's path). */
function zip(out: string, files: Record<string, string | Buffer>, flags: string[] = []): Buffer {
  const src = fs.mkdtempSync(path.join(dir, 'src-'));
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), data);
  }
  const r = spawnSync('zip', ['-q', '-r', '-X', ...flags, path.join(dir, out), ...Object.keys(files)], {
    cwd: src,
  });
  assert.equal(r.status, 0, r.stderr?.toString());
  return fs.readFileSync(path.join(dir, out));
}

// Real manifests of the artifacts the fixtures imitate (trimmed).
const LANG3_MANIFEST = `Manifest-Version: 1.0
Created-By: Apache Maven Bundle Plugin
Bundle-License: https://www.apache.org/licenses/LICENSE-2.0.txt
Bundle-SymbolicName: org.apache.commons.lang3
Bundle-Version: 3.12.0
Implementation-Title: Apache Commons Lang
Implementation-Vendor: The Apache Software Foundation
Implementation-Vendor-Id: org.apache.commons
Implementation-Version: 3.12.0
Specification-Version: 3.12
Automatic-Module-Name: org.apache.commons.lang3
Export-Package: org.apache.commons.lang3;version="3.12.0",org.apache.comm
 ons.lang3.builder;version="3.12.0"

Name: org/apache/commons/lang3/
Sealed: false
`;
const GUAVA_MANIFEST = `Manifest-Version: 1.0
Automatic-Module-Name: com.google.common
Bundle-License: http://www.apache.org/licenses/LICENSE-2.0.txt
Bundle-ManifestVersion: 2
Bundle-Name: Guava: Google Core Libraries for Java
Bundle-SymbolicName: com.google.guava
Bundle-Version: 32.1.2.jre
`;

let lang3: Buffer;
let war: Buffer;

before(() => {
  if (!hasZip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-java-'));
  lang3 = zip('commons-lang3-3.12.0.jar', {
    'META-INF/MANIFEST.MF': LANG3_MANIFEST,
    'META-INF/maven/org.apache.commons/commons-lang3/pom.properties':
      '#Created by Apache Maven 3.6.3\nversion=3.12.0\ngroupId=org.apache.commons\nartifactId=commons-lang3\n',
    'META-INF/maven/org.apache.commons/commons-lang3/pom.xml': '<project/>',
    'org/apache/commons/lang3/StringUtils.class': Buffer.alloc(2000, 7),
  });
  const guava = zip('guava-32.1.2-jre.jar', {
    'META-INF/MANIFEST.MF': GUAVA_MANIFEST,
    'com/google/common/base/Strings.class': 'x',
  });
  // A shaded jar: its own pom plus one for a relocated dependency.
  const shaded = zip('shaded-client-2.1.0.jar', {
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
    'META-INF/maven/com.example/shaded-client/pom.properties':
      'groupId=com.example\nartifactId=shaded-client\nversion=2.1.0\n',
    'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties':
      'artifactId=jackson-databind\ngroupId=com.fasterxml.jackson.core\nversion=2.15.2\n',
  });
  war = zip('shop.war', {
    'META-INF/MANIFEST.MF':
      'Manifest-Version: 1.0\nImplementation-Title: shop\nImplementation-Version: 1.4.0\n',
    'META-INF/maven/com.example/shop/pom.properties': 'groupId=com.example\nartifactId=shop\nversion=1.4.0\n',
    'WEB-INF/web.xml': '<web-app/>',
    'WEB-INF/lib/commons-lang3-3.12.0.jar': lang3,
    'WEB-INF/lib/guava-32.1.2-jre.jar': guava,
    'WEB-INF/lib/shaded-client-2.1.0.jar': shaded,
  });
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('java archive parts', () => {
  it('parses manifests with continuation lines and sections', () => {
    const m = parseManifest(LANG3_MANIFEST);
    assert.equal(
      m.main
        .find((kv) => kv.key === 'Export-Package')
        ?.value.endsWith('org.apache.commons.lang3.builder;version="3.12.0"'),
      true,
    );
    assert.deepEqual(m.sections, [
      [
        { key: 'Name', value: 'org/apache/commons/lang3/' },
        { key: 'Sealed', value: 'false' },
      ],
    ]);
  });

  it('parses properties and archive file names', () => {
    assert.deepEqual(parseProperties('# c\na=1\nb : 2\nc\\\n  d=3\n'), { a: '1', b: '2', cd: '3' });
    assert.deepEqual(parseArchiveFilename('/x/guava-32.1.2-jre.jar'), {
      name: 'guava',
      version: '32.1.2-jre',
    });
    assert.deepEqual(parseArchiveFilename('app.jar'), { name: 'app', version: '' });
  });

  it('reads Zip64 archives and archives with a prepended launch script', { skip: !hasZip }, () => {
    const z64 = zip('z64.jar', { 'a.txt': 'hello' }, ['-fz']);
    const e64 = readCentralDirectory(z64);
    assert.deepEqual(
      e64.map((e) => readEntry(z64, e, 100).toString()),
      ['hello'],
    );
    const exec = Buffer.concat([Buffer.from('#!/bin/bash\nexec java -jar "$0" "$@"\n'), lang3]);
    const entries = readCentralDirectory(exec);
    const pom = entries.find((e) => e.name.endsWith('pom.properties'));
    assert.match(readEntry(exec, pom!, 1000).toString(), /artifactId=commons-lang3/);
    assert.throws(
      () =>
        readEntry(
          exec,
          entries.find((e) => e.name.endsWith('.class'))!,
          100,
        ),
      /limit 100/,
    );
  });
});

describe('java-archive-cataloger', { skip: !hasZip && 'zip not installed' }, () => {
  it('catalogues a war, its nested jars and shaded dependencies', async () => {
    const resolver = new MemoryResolver().addFile('/usr/local/tomcat/webapps/shop.war', war, {
      layerID: 'sha256:app',
    });
    const location = [{ path: '/usr/local/tomcat/webapps/shop.war', layerID: 'sha256:app' }];
    const result = await new CatalogTester(javaArchiveCataloguer)
      .withResolver(resolver)
      .expectPackages([
        {
          name: 'commons-lang3',
          version: '3.12.0',
          type: 'java-archive',
          language: 'java',
          purl: 'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
          licenses: ['https://www.apache.org/licenses/LICENSE-2.0.txt'],
          locations: location,
        },
        {
          name: 'guava',
          version: '32.1.2-jre',
          purl: 'pkg:maven/com.google.guava/guava@32.1.2-jre',
          cpes: [
            'cpe:2.3:a:guava:guava:32.1.2-jre:*:*:*:*:*:*:*',
            'cpe:2.3:a:google:guava:32.1.2-jre:*:*:*:*:*:*:*',
          ],
        },
        {
          name: 'jackson-databind',
          version: '2.15.2',
          purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2',
          metadata: {
            virtualPath:
              '/usr/local/tomcat/webapps/shop.war:WEB-INF/lib/shaded-client-2.1.0.jar:com.fasterxml.jackson.core:jackson-databind',
            pomProperties: {
              path: 'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties',
              groupId: 'com.fasterxml.jackson.core',
              artifactId: 'jackson-databind',
              version: '2.15.2',
            },
          },
        },
        { name: 'shaded-client', version: '2.1.0', purl: 'pkg:maven/com.example/shaded-client@2.1.0' },
        { name: 'shop', version: '1.4.0', purl: 'pkg:maven/com.example/shop@1.4.0', locations: location },
      ])
      .expectReads(['/usr/local/tomcat/webapps/shop.war'])
      .run();
    const shop = result.packages.find((p) => p.name === 'shop');
    assert.deepEqual(shop?.metadata?.digest, [
      { algorithm: 'sha1', value: createHash('sha1').update(war).digest('hex') },
    ]);
    assert.equal(shop?.metadata?.virtualPath, '/usr/local/tomcat/webapps/shop.war');
    const lang = result.packages.find((p) => p.name === 'commons-lang3');
    assert.equal(
      lang?.metadata?.virtualPath,
      '/usr/local/tomcat/webapps/shop.war:WEB-INF/lib/commons-lang3-3.12.0.jar',
    );
    assert.deepEqual((lang?.metadata?.manifest as { main: { key: string }[] }).main[0], {
      key: 'Manifest-Version',
      value: '1.0',
    });
  });

  it('stops at the depth limit and reports broken archives, keeping what it found', async () => {
    const resolver = new MemoryResolver()
      .addFile('/opt/shop.war', war)
      .addFile('/opt/broken-1.0.jar', lang3.subarray(0, lang3.length - 30));
    await new CatalogTester(
      createJavaArchiveCataloguer({ maxDepth: 0, maxNestedBytes: 1 << 20, maxMetadataBytes: 1 << 16 }),
    )
      .withResolver(resolver)
      .expectIssues([
        /broken-1\.0\.jar: no end of central directory/,
        /shop\.war:WEB-INF\/lib\/commons-lang3-3\.12\.0\.jar: nested deeper than 0 archives/,
        /guava-32\.1\.2-jre\.jar: nested deeper/,
        /shaded-client-2\.1\.0\.jar: nested deeper/,
      ])
      .expectPackages([{ name: 'shop', version: '1.4.0' }])
      .run();
  });

  it('wants archives by extension and size', () => {
    const f = { type: 'file' as const, size: 1000, mode: 0o644 };
    assert.equal(javaArchiveCataloguer.wants('/app/lib/a.jar', f), true);
    assert.equal(javaArchiveCataloguer.wants('/var/lib/jenkins/plugins/git.hpi', f), true);
    assert.equal(javaArchiveCataloguer.wants('/app/lib/a.jar.sha1', f), false);
    assert.equal(javaArchiveCataloguer.wants('/app/lib/a.jar', { ...f, size: 10 }), false);
  });
});
