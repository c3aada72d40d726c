/**
 * Type-level check: the document src/vuln/report builds is assignable to the VulnerabilityManifest
 * payload types of src/api (src/vuln may not import src/api, so it defines its own copy).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type {
  GrypeDocument as ApiDocument,
  IgnoredMatch as ApiIgnoredMatch,
  Match as ApiMatch,
  VulnerabilityManifestSpec,
} from '../../src/api/index.ts';
import type { GrypeDocument, IgnoredMatch, Match } from '../../src/vuln/index.ts';

type Assignable<From, To> = [From] extends [To] ? true : false;

const documentFits: Assignable<GrypeDocument, ApiDocument> = true;
const matchFits: Assignable<Match, ApiMatch> = true;
const ignoredFits: Assignable<IgnoredMatch, ApiIgnoredMatch> = true;

it('the vuln document is a VulnerabilityManifest payload', () => {
  assert.ok(documentFits && matchFits && ignoredFits);
  const doc: GrypeDocument = {
    matches: [],
    ignoredMatches: [],
    source: null,
    distro: { name: '', version: '', idLike: [] },
    descriptor: { name: 'kubeguard', version: '0.1.0' },
  };
  const spec: VulnerabilityManifestSpec = {
    metadata: {
      withRelevancy: false,
      tool: { name: 'kubeguard', version: '0.1.0', databaseVersion: '' },
      report: { createdAt: null },
    },
    payload: doc,
  };
  assert.equal(spec.payload.matches?.length, 0);
});
