/**
 * Where images come from and how they are referenced: registry allow/block lists (C-0078, C-0001),
 * the deprecated k8s.gcr.io (C-0253), digest pinning (C-0306), pull policy of floating tags
 * (C-0075), the end-of-life ingress-nginx controller (C-0292) and image signatures (C-0236, C-0237).
 */
import type { RuleDefinition, Violation } from '../../model.ts';
import { namespaceOf, violation } from '../../objects.ts';
import type { ContainerRef } from '../../workload.ts';
import type { ContainerScope, Workload } from './containers.ts';
import { WORKLOAD_MATCH, containerName, containersIn, describe, workloadsIn } from './containers.ts';
import {
  hasLatestTag,
  hasPinnedDigest,
  hasTagOrDigest,
  isUnderRepository,
  normalizeImageName,
  tagOf,
} from './images.ts';

interface ImageCheck {
  workload: Workload;
  ref: ContainerRef;
  image: string;
}

/** Every (workload, container, string image) of the selected containers. */
function imagesIn(
  objects: Parameters<typeof workloadsIn>[0],
  scope: ContainerScope = {},
  kinds?: ReadonlySet<string>,
): ImageCheck[] {
  const result: ImageCheck[] = [];
  for (const workload of workloadsIn(objects, kinds)) {
    for (const ref of containersIn(workload, scope)) {
      if (typeof ref.container.image === 'string') result.push({ workload, ref, image: ref.container.image });
    }
  }
  return result;
}

function imageViolation(
  check: ImageCheck,
  alertMessage: string,
  review: boolean,
  alertScore: number,
): Violation {
  const path = `${check.ref.path}.image`;
  return violation(check.workload.object, {
    alertMessage,
    failedPaths: [path],
    reviewPaths: review ? [path] : [],
    alertScore,
  });
}

export const containerImageRepository: RuleDefinition = {
  name: 'container-image-repository-v1',
  match: WORKLOAD_MATCH,
  configInputs: ['imageRepositoryAllowList'],
  evaluate({ objects, config }) {
    const allowed = config.imageRepositoryAllowList ?? [];
    const violations: Violation[] = [];
    for (const check of imagesIn(objects)) {
      const name = normalizeImageName(check.image);
      if (name === undefined || allowed.some((prefix) => name.startsWith(prefix))) continue;
      violations.push(
        imageViolation(
          check,
          `image '${name}' in container '${containerName(check.ref)}' comes from untrusted registry`,
          true,
          2,
        ),
      );
    }
    return violations;
  },
};

export const blocklistedImageRegistries: RuleDefinition = {
  name: 'rule-identify-blocklisted-image-registries-v1',
  match: WORKLOAD_MATCH,
  configInputs: ['publicRegistries', 'untrustedRegistries'],
  evaluate({ objects, config }) {
    const blocked = [...(config.untrustedRegistries ?? []), ...(config.publicRegistries ?? [])];
    const violations: Violation[] = [];
    for (const check of imagesIn(objects)) {
      const name = normalizeImageName(check.image);
      if (name === undefined || !blocked.some((prefix) => name.startsWith(prefix))) continue;
      violations.push(
        imageViolation(
          check,
          `image '${name}' in container '${containerName(check.ref)}' comes from untrusted registry`,
          false,
          2,
        ),
      );
    }
    return violations;
  },
};

export const oldK8sRegistry: RuleDefinition = {
  name: 'rule-identify-old-k8s-registry',
  match: WORKLOAD_MATCH,
  evaluate({ objects }) {
    // Only the cluster's own components are expected to come from the Kubernetes registry.
    const kubeSystem = objects.filter((object) => namespaceOf(object) === 'kube-system');
    return imagesIn(kubeSystem)
      .filter((check) => check.image.startsWith('k8s.gcr.io/'))
      .map((check) =>
        imageViolation(
          check,
          `image '${check.image}' in container '${containerName(check.ref)}' comes from the deprecated k8s.gcr.io`,
          true,
          2,
        ),
      );
  },
};

export const imageNotPinnedToDigest: RuleDefinition = {
  name: 'image-not-pinned-to-digest',
  match: WORKLOAD_MATCH,
  configInputs: ['imageDigestExemptRepositories'],
  evaluate({ objects, config }) {
    const exempt = config.imageDigestExemptRepositories ?? [];
    return imagesIn(objects, { init: true, ephemeral: 'all' })
      .filter((check) => !hasPinnedDigest(check.image))
      .filter((check) => !exempt.some((repository) => isUnderRepository(check.image, repository)))
      .map((check) =>
        imageViolation(
          check,
          `${check.workload.object.kind} ${check.workload.object.metadata?.name ?? ''}: container '${containerName(check.ref)}' image '${check.image}' is not pinned to a digest`,
          true,
          3,
        ),
      );
  },
};

export const imagePullPolicyNotAlways: RuleDefinition = {
  name: 'image-pull-policy-is-not-set-to-always',
  match: WORKLOAD_MATCH,
  configInputs: ['floatingImageTags'],
  evaluate({ objects, config }) {
    const floatingTags = new Set(config.floatingImageTags ?? []);
    const violations: Violation[] = [];
    for (const workload of workloadsIn(objects)) {
      for (const ref of containersIn(workload)) {
        const policy = ref.container.imagePullPolicy;
        // An unset policy passes: Kubernetes defaults it to Always for such images.
        if (policy !== 'Never' && policy !== 'IfNotPresent') continue;
        const image = typeof ref.container.image === 'string' ? ref.container.image : undefined;
        const floating =
          image === undefined ||
          hasLatestTag(image) ||
          !hasTagOrDigest(image) ||
          floatingTags.has(tagOf(image) ?? '\u0000');
        if (!floating) continue;
        const paths = [`${ref.path}.image`, `${ref.path}.imagePullPolicy`];
        violations.push(
          violation(workload.object, {
            alertMessage: `container: ${containerName(ref)} in ${describe(workload.object)} has 'latest' tag on image but imagePullPolicy is not set to 'Always'`,
            failedPaths: paths,
            reviewPaths: paths,
            alertScore: 2,
          }),
        );
      }
    }
    return violations;
  },
};

/** The community ingress-nginx controller images (not NGINX Inc's products). */
const INGRESS_NGINX_IMAGES = [
  'ingress-nginx/controller',
  'k8s.gcr.io/ingress-nginx',
  'registry.k8s.io/ingress-nginx',
];
const INGRESS_CONTROLLER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

export const nginxIngressControllerEol: RuleDefinition = {
  name: 'detect-nginx-ingress-controller-eol',
  match: [{ group: 'apps', kinds: ['Deployment', 'DaemonSet', 'StatefulSet'] }],
  evaluate({ objects }) {
    return imagesIn(objects, {}, INGRESS_CONTROLLER_KINDS)
      .filter((check) => INGRESS_NGINX_IMAGES.some((marker) => check.image.includes(marker)))
      .map((check) =>
        imageViolation(
          check,
          `${check.workload.object.kind} '${check.workload.object.metadata?.name ?? ''}' uses nginx ingress controller which reaches End of Life in March 2026. No security or functional fixes will be available after this date.`,
          true,
          6,
        ),
      );
  },
};

const SIGNATURES = 'image signatures from the registry (cosign)';

export const hasImageSignature: RuleDefinition = {
  name: 'has-image-signature',
  match: WORKLOAD_MATCH,
  requiresData: SIGNATURES,
  evaluate: () => [],
};

export const verifyImageSignature: RuleDefinition = {
  name: 'verify-image-signature',
  match: WORKLOAD_MATCH,
  configInputs: ['trustedCosignPublicKeys'],
  requiresData: SIGNATURES,
  evaluate: () => [],
};
