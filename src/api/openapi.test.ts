import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GROUP, VERSION } from './meta.ts';
import { openApiSchemas } from './openapi.ts';
import { resourceByKind, resourceByPlural, storageResources } from './resources.ts';
import type { SchemaObject } from './schema.ts';

/** Kinds whose objects carry a status the spec describes. */
const withStatus = new Set(['SeccompProfile']);

/** Structural-schema rules Kubernetes enforces: every node typed or opaque, no mixed maps. */
function structuralProblems(schema: SchemaObject, path: string): string[] {
  const problems: string[] = [];
  const opaque = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  if (!schema.type && !opaque && !intOrString) problems.push(`${path}: no type`);
  if (!schema.description && path.includes('.') && !path.endsWith('[]') && !path.endsWith('{}')) {
    problems.push(`${path}: no description`);
  }
  if (schema.properties && schema.additionalProperties)
    problems.push(`${path}: properties and additionalProperties`);
  if (schema.type === 'array' && !schema.items) problems.push(`${path}: array without items`);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    problems.push(...structuralProblems(child, `${path}.${name}`));
  }
  if (schema.items) problems.push(...structuralProblems(schema.items, `${path}[]`));
  if (schema.additionalProperties)
    problems.push(...structuralProblems(schema.additionalProperties, `${path}{}`));
  return problems;
}

function at(schema: SchemaObject, path: string): SchemaObject | undefined {
  let node: SchemaObject | undefined = schema;
  for (const part of path.split('.')) {
    while (node?.type === 'array') node = node.items;
    node = node?.properties?.[part];
  }
  return node;
}

describe('resources', () => {
  it('lists the 19 kinds of the group once each', () => {
    assert.equal(storageResources.length, 19);
    assert.equal(new Set(storageResources.map((r) => r.kind)).size, 19);
    assert.equal(new Set(storageResources.map((r) => r.plural)).size, 19);
    for (const r of storageResources) {
      assert.equal(r.singular, r.kind.toLowerCase());
      assert.equal(resourceByPlural(r.plural), r);
      assert.equal(resourceByKind(r.kind), r);
      assert.equal(r.storageSegment === null, r.virtual, r.kind);
    }
  });

  it('marks scope, virtual kinds and size limits as the spec says', () => {
    const clusterScoped = storageResources.filter((r) => !r.namespaced).map((r) => r.plural);
    assert.deepEqual(clusterScoped.sort(), [
      'collapseconfigurations',
      'configurationscansummaries',
      'knownservers',
      'vulnerabilitysummaries',
    ]);
    const virtual = storageResources.filter((r) => r.virtual).map((r) => r.plural);
    assert.deepEqual(virtual.sort(), [
      'configurationscansummaries',
      'generatednetworkpolicies',
      'vulnerabilitysummaries',
    ]);
    assert.equal(resourceByPlural('sbomsyfts')?.maxBytes, 100 * 1024 * 1024);
    assert.equal(resourceByPlural('sbomsyftfiltereds')?.maxBytes, 20 * 1024 * 1024);
    assert.equal(resourceByPlural('applicationprofiles')?.maxBytes, 20 * 1024 * 1024);
    assert.equal(resourceByPlural('vulnerabilitymanifests')?.maxBytes, 10 * 1024 * 1024);
    assert.equal(resourceByPlural('knownservers')?.maxBytes, 400 * 1024);
    assert.equal(resourceByPlural('sbomsyfts')?.storageSegment, 'sbomsyft');
    assert.equal(resourceByPlural('seccompprofiles')?.storageSegment, 'seccompprofile');
  });
});

describe('openApiSchemas', () => {
  for (const r of storageResources) {
    it(`${r.kind} has a structural schema with spec${withStatus.has(r.kind) ? ' and status' : ''}`, () => {
      const schema = openApiSchemas[r.kind];
      assert.ok(schema, `no schema for ${r.kind}`);
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [
        { group: GROUP, version: VERSION, kind: r.kind },
      ]);
      const properties = Object.keys(schema.properties ?? {});
      for (const field of ['apiVersion', 'kind', 'metadata', 'spec'])
        assert.ok(properties.includes(field), field);
      assert.equal(properties.includes('status'), withStatus.has(r.kind));
      assert.deepEqual(structuralProblems(schema, r.kind), []);
    });
  }

  it('has no schema for a kind the storage does not serve', () => {
    assert.deepEqual(Object.keys(openApiSchemas).sort(), storageResources.map((r) => r.kind).sort());
  });

  it('describes the fields kubectl explain users ask about', () => {
    const manifest = openApiSchemas.VulnerabilityManifest;
    const matches = at(manifest, 'spec.payload.matches');
    assert.equal(matches?.type, 'array');
    assert.equal(matches?.nullable, true);
    assert.equal(at(manifest, 'spec.payload.matches.vulnerability.severity')?.type, 'string');
    assert.equal(at(manifest, 'spec.payload.matches.artifact.purl')?.type, 'string');
    assert.equal(
      at(manifest, 'spec.payload.matches.matchDetails.searchedBy')?.['x-kubernetes-preserve-unknown-fields'],
      true,
    );
    assert.equal(at(openApiSchemas.KnownServer, 'spec')?.type, 'array');
    assert.equal(at(openApiSchemas.GeneratedNetworkPolicy, 'policyRef.originalIP')?.type, 'string');
    assert.equal(at(openApiSchemas.NetworkNeighborhood, 'spec.matchLabels')?.type, 'object');
    assert.equal(at(openApiSchemas.ContainerProfile, 'spec.egress.ports.port')?.nullable, true);
    assert.equal(at(openApiSchemas.OpenVulnerabilityExchangeContainer, 'spec.@context')?.type, 'string');
    assert.equal(
      at(openApiSchemas.VulnerabilityManifestSummary, 'spec.severities.critical.relevant')?.format,
      'int64',
    );
  });
});
