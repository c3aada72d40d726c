import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detectDistro,
  distroFromDebianVersion,
  distroFromRedhatRelease,
  distroWants,
  parseOsRelease,
} from './distro.ts';
import { MemoryResolver } from './testkit.ts';

describe('distro detection', () => {
  it('parses os-release quoting and comments', () => {
    assert.deepEqual(
      parseOsRelease(
        '# c\nNAME="Debian GNU/Linux"\nID=debian\nX=\'single quoted\'\nY="a \\"b\\" \\$c"\nbad line\n',
      ),
      { NAME: 'Debian GNU/Linux', ID: 'debian', X: 'single quoted', Y: 'a "b" $c' },
    );
  });

  it('follows /etc/os-release to /usr/lib/os-release', async () => {
    const r = MemoryResolver.fromTxtar(
      '-- /etc/os-release -> ../usr/lib/os-release --\n-- /usr/lib/os-release --\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n',
      { collect: distroWants },
    );
    assert.deepEqual(await detectDistro(r), {
      distro: {
        id: 'ubuntu',
        versionId: '22.04',
        idLike: ['debian'],
        prettyName: 'Ubuntu 22.04.4 LTS',
        versionCodename: 'jammy',
      },
      source: '/usr/lib/os-release',
      issues: [],
    });
  });

  it('falls back to the older release files', async () => {
    const alpine = MemoryResolver.fromTxtar('-- /etc/alpine-release --\n3.19.1\n', { collect: distroWants });
    assert.deepEqual((await detectDistro(alpine)).distro, {
      id: 'alpine',
      versionId: '3.19.1',
      prettyName: 'Alpine Linux v3.19',
    });
    const debian = MemoryResolver.fromTxtar('-- /etc/debian_version --\n12.5\n', { collect: distroWants });
    assert.deepEqual((await detectDistro(debian)).distro, { id: 'debian', versionId: '12' });
    assert.deepEqual(distroFromDebianVersion('trixie/sid'), {
      id: 'debian',
      versionId: '',
      versionCodename: 'trixie',
    });
    assert.deepEqual(distroFromRedhatRelease('CentOS Linux release 7.9.2009 (Core)\n'), {
      id: 'centos',
      versionId: '7',
      prettyName: 'CentOS Linux release 7.9.2009 (Core)',
      idLike: ['rhel', 'fedora'],
    });
    assert.equal(distroFromRedhatRelease('Red Hat Enterprise Linux release 8.9 (Ootpa)')?.id, 'rhel');
    assert.equal(distroFromRedhatRelease('Red Hat Enterprise Linux release 8.9 (Ootpa)')?.versionId, '8.9');
  });

  it('records an os-release without ID and keeps looking', async () => {
    const r = MemoryResolver.fromTxtar(
      '-- /etc/os-release --\nNAME=Mystery\n-- /etc/debian_version --\n11.9\n',
      {
        collect: distroWants,
      },
    );
    const d = await detectDistro(r);
    assert.deepEqual(d.distro, { id: 'debian', versionId: '11' });
    assert.deepEqual(d.issues, [
      { cataloguer: 'linux-release', path: '/etc/os-release', reason: 'no distribution identified in file' },
    ]);
  });

  it('finds nothing in an empty root', async () => {
    assert.deepEqual(await detectDistro(new MemoryResolver()), { issues: [] });
  });
});
