/**
 * Known-vulnerable application versions recognised from Deployment images: Argo CD
 * CVE-2022-24348 (C-0081), Grafana CVE-2022-39328 (C-0090) and Kyverno CVE-2022-47633 (C-0091).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { violation } from '../../objects.ts';
import { containersIn, describe, workloadsIn } from './containers.ts';

type Version = readonly [major: number, minor: number, patch: number];

const INTEGER = /^[+-]?\d+$/;

/** An exact `x.y.z` version (each part numeric), as the rules parse the text after the tag marker. */
function parseTriplet(text: string | undefined): Version | undefined {
  const parts = (text ?? '').split('.');
  if (parts.length !== 3 || !parts.every((part) => INTEGER.test(part))) return undefined;
  const [major = 0, minor = 0, patch = 0] = parts.map(Number);
  return [major, minor, patch];
}

interface CveRule {
  name: string;
  cve: string;
  /** Substring identifying the application's image. */
  marker: string;
  /** The version text of a matching image. */
  versionOf: (image: string) => string | undefined;
  isVulnerable: (version: Version) => boolean;
}

const DEPLOYMENTS: ReadonlySet<string> = new Set(['Deployment']);

function cveRule(definition: CveRule): RuleDefinition {
  return {
    name: definition.name,
    match: [{ group: 'apps', kinds: ['Deployment'] }],
    evaluate({ objects }) {
      const violations: Violation[] = [];
      for (const workload of workloadsIn(objects, DEPLOYMENTS)) {
        for (const ref of containersIn(workload)) {
          const image = ref.container.image;
          if (typeof image !== 'string' || !image.includes(definition.marker)) continue;
          const version = parseTriplet(definition.versionOf(image));
          if (!version || !definition.isVulnerable(version)) continue;
          const path = `${ref.path}.image`;
          violations.push(
            violation(workload.object, {
              alertMessage: `${describe(workload.object)} may be vulnerable to ${definition.cve}`,
              failedPaths: [path],
              reviewPaths: [path],
            }),
          );
        }
      }
      return violations;
    },
  };
}

/** The text after the first `:v` (Argo CD and Kyverno tag as `vX.Y.Z`). */
const afterVTag = (image: string): string | undefined => image.split(':v')[1];

export const argocdDirTraversal = cveRule({
  name: 'CVE-2022-24348',
  cve: 'CVE-2022-24348',
  marker: 'argocd:v',
  versionOf: afterVTag,
  isVulnerable: ([major, minor, patch]) =>
    major === 1 || (major === 2 && (minor === 0 || (minor === 1 && patch < 9) || (minor === 2 && patch < 4))),
});

export const grafanaAuthBypass = cveRule({
  name: 'CVE-2022-39328',
  cve: 'CVE-2022-39328',
  marker: 'grafana:',
  // Ubuntu-based images are tagged `X.Y.Z-ubuntu`.
  versionOf: (image) => image.replaceAll('-ubuntu', '').split(':')[1],
  isVulnerable: ([major, minor, patch]) => major === 9 && minor === 2 && patch < 4,
});

export const kyvernoSignatureBypass = cveRule({
  name: 'CVE-2022-47633',
  cve: 'CVE-2022-47633',
  marker: 'kyverno:',
  versionOf: afterVTag,
  isVulnerable: ([major, minor, patch]) => major === 1 && minor === 8 && patch >= 3 && patch < 5,
});
