import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKubeguardError } from '../../common/index.ts';
import { distroOfPurl, parseSourceRpm, upstreamOfPurl } from './package-info.ts';
import { formatPurl, parsePurl, purlMatches } from './purl.ts';

describe('purl parsing (purl-spec test-suite cases)', () => {
  it('parses all parts with percent-decoding', () => {
    assert.deepEqual(parsePurl('pkg:npm/%40angular/animation@12.3.1'), {
      type: 'npm',
      namespace: '@angular',
      name: 'animation',
      version: '12.3.1',
      qualifiers: {},
      subpath: undefined,
    });
    assert.deepEqual(parsePurl('pkg:golang/google.golang.org/genproto#googleapis/api/annotations'), {
      type: 'golang',
      namespace: 'google.golang.org',
      name: 'genproto',
      version: undefined,
      qualifiers: {},
      subpath: 'googleapis/api/annotations',
    });
    const deb = parsePurl('pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12');
    assert.equal(deb.version, '2.36-9+deb12u4');
    assert.deepEqual(deb.qualifiers, { arch: 'amd64', upstream: 'glibc', distro: 'debian-12' });
    assert.equal(
      parsePurl('pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources').namespace,
      'org.apache.xmlgraphics',
    );
    assert.equal(
      parsePurl('pkg:docker/customer/dockerimage@sha256%3A244fd47e07d10?repository_url=gcr.io').version,
      'sha256:244fd47e07d10',
    );
    assert.equal(
      parsePurl('pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25').qualifiers.distro,
      'fedora-25',
    );
  });

  it('applies type normalisation and tolerates "pkg://" and upper-case type', () => {
    assert.equal(parsePurl('pkg:pypi/Django_Allauth@12.23').name, 'django-allauth');
    assert.equal(parsePurl('pkg:PYPI/Django@1.11.1').type, 'pypi');
    assert.equal(parsePurl('pkg://npm/foo@1.0.0').name, 'foo');
    assert.equal(parsePurl('pkg:github/Package-URL/purl-spec@244fd47').namespace, 'package-url');
    assert.equal(
      parsePurl('pkg:gem/ruby-advisory-db-check@0.12.4?Platform=java').qualifiers.platform,
      'java',
    );
  });

  it('rejects malformed purls', () => {
    for (const bad of ['npm/foo@1', 'pkg:npm', 'pkg:/foo', 'pkg:npm/foo%zz', 'pkg:npm/foo?novalue']) {
      assert.throws(
        () => parsePurl(bad),
        (e: unknown) => isKubeguardError(e, 'KG_ERR_INVALID_INPUT'),
        bad,
      );
    }
  });

  it('formats canonically and round-trips', () => {
    const text = 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc';
    assert.equal(
      formatPurl(parsePurl('pkg:deb/debian/libc6@2.36-9+deb12u4?upstream=glibc&arch=amd64&distro=debian-12')),
      text,
    );
    assert.equal(
      formatPurl(parsePurl('pkg:npm/%40scope/name@1.0.0#sub/path')),
      'pkg:npm/%40scope/name@1.0.0#sub/path',
    );
  });

  it('matches ignoring qualifiers; no version matches all versions', () => {
    const pkg = parsePurl('pkg:deb/debian/libc6@2.36-9?arch=amd64');
    assert.ok(purlMatches(parsePurl('pkg:deb/debian/libc6@2.36-9'), pkg));
    assert.ok(purlMatches(parsePurl('pkg:deb/debian/libc6'), pkg));
    assert.ok(!purlMatches(parsePurl('pkg:deb/debian/libc6@2.36-10'), pkg));
    assert.ok(!purlMatches(parsePurl('pkg:deb/ubuntu/libc6@2.36-9'), pkg));
  });

  it('derives upstream, distro and source RPM names', () => {
    assert.deepEqual(upstreamOfPurl(parsePurl('pkg:deb/debian/bash@5.2.15-2+b13?upstream=bash%405.2.15-2')), {
      name: 'bash',
      version: '5.2.15-2',
    });
    assert.deepEqual(
      upstreamOfPurl(
        parsePurl('pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?upstream=openssl-3.0.7-24.el9.src.rpm'),
      ),
      {
        name: 'openssl',
        version: '3.0.7-24.el9',
      },
    );
    assert.deepEqual(distroOfPurl(parsePurl('pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4')), {
      id: 'alpine',
      versionId: '3.18.4',
    });
    assert.deepEqual(distroOfPurl(parsePurl('pkg:rpm/opensuse/x@1?distro=opensuse-leap-15.5')), {
      id: 'opensuse-leap',
      versionId: '15.5',
    });
    assert.deepEqual(parseSourceRpm('python3.11-3.11.5-1.el9_3.src.rpm'), {
      name: 'python3.11',
      version: '3.11.5-1.el9_3',
    });
  });
});
