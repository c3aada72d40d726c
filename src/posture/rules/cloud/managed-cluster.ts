/**
 * Provider-specific recommendations checked on Kubernetes objects of a managed cluster (nodes,
 * load balancers, roles); the controls using them are scoped to EKS or AKS.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation, violation } from '../../objects.ts';
import { asObject, isNonEmpty, membersOf, valueAt } from '../host/values.ts';

const NODES = [{ group: '', kinds: ['Node'] }];
const ofKind = (objects: readonly K8sObject[], kind: string): K8sObject[] =>
  objects.filter((obj) => obj.kind === kind);

// ---- EKS nodes (C-0226, C-0233) ------------------------------------------------------------------

const CONTAINER_OPTIMIZED_OS_PREFIXES = ['Bottlerocket'];

const containerOptimizedOsRule: RuleDefinition = {
  name: 'alert-container-optimized-os-not-in-use',
  match: NODES,
  evaluate: ({ objects }) =>
    ofKind(objects, 'Node')
      .filter((node) => {
        const osImage = valueAt(node, ['status', 'nodeInfo', 'osImage']);
        return !CONTAINER_OPTIMIZED_OS_PREFIXES.some(
          (prefix) => typeof osImage === 'string' && osImage.startsWith(prefix),
        );
      })
      .map((node) =>
        violation(node, { alertMessage: 'Prefer using Container-Optimized OS when possible', alertScore: 7 }),
      ),
};

/** Fargate nodes are named `fargate-...`; with none at all, every node is reported once. */
const fargateRule: RuleDefinition = {
  name: 'alert-fargate-not-in-use',
  match: NODES,
  evaluate: ({ objects }) => {
    const nodes = ofKind(objects, 'Node');
    const usesFargate = nodes.some((node) => node.metadata?.name?.startsWith('fargate') === true);
    if (nodes.length === 0 || usesFargate) return [];
    return [
      violation(nodes, { alertMessage: 'Consider Fargate for running untrusted workloads', alertScore: 7 }),
    ];
  },
};

// ---- EKS load balancers (C-0231) -----------------------------------------------------------------

const AWS_SSL_CERT_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';

const awsHttpsLoadBalancerRule: RuleDefinition = {
  name: 'ensure-https-loadbalancers-encrypted-with-tls-aws',
  match: [{ group: '', kinds: ['Service'] }],
  evaluate: ({ objects }) =>
    ofKind(objects, 'Service')
      .filter(
        (service) =>
          valueAt(service, ['spec', 'type']) === 'LoadBalancer' &&
          membersOf(valueAt(service, ['spec', 'ports'])).some((port) => valueAt(port, ['port']) === 443) &&
          !Object.keys(asObject(service.metadata?.annotations) ?? {}).some((key) =>
            key.startsWith(AWS_SSL_CERT_ANNOTATION),
          ),
      )
      .map((service) => {
        const path = `metadata.annotations['${AWS_SSL_CERT_ANNOTATION}']`;
        return externalViolation(service, {
          alertMessage: `LoadBalancer: ${service.metadata?.name ?? ''} has no TLS configured`,
          alertScore: 7,
          failedPaths: [path],
          fixPaths: [{ path, value: 'AWS_LOADBALANCER_SSL_CERT' }],
        });
      }),
};

// ---- AKS load balancers and ingresses (C-0245) ---------------------------------------------------

const AZURE_INTERNAL_LB_ANNOTATION = 'service.beta.kubernetes.io/azure-load-balancer-internal';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const APPLICATION_GATEWAY = 'azure/application-gateway';

const annotation = (obj: K8sObject, key: string): unknown => valueAt(obj, ['metadata', 'annotations', key]);

function azureServiceFinding(service: K8sObject): Violation | undefined {
  const type = valueAt(service, ['spec', 'type']);
  if (type === undefined) return undefined;
  if (type !== 'LoadBalancer') {
    return violation(service, { alertMessage: 'No LoadBalancer service found.', alertScore: 7 });
  }
  const internal = annotation(service, AZURE_INTERNAL_LB_ANNOTATION);
  if (internal === 'true') return undefined;
  return violation(service, {
    alertMessage:
      internal === undefined || internal === false
        ? `Service object LoadBalancer has not '${AZURE_INTERNAL_LB_ANNOTATION}' annotation.`
        : `Service object LoadBalancer has annotation '${AZURE_INTERNAL_LB_ANNOTATION}' != 'true'.`,
    alertScore: 7,
    fixPaths: [{ path: `metadata.annotations[${AZURE_INTERNAL_LB_ANNOTATION}]`, value: 'true' }],
  });
}

/** Behind an internal load balancer, ingresses must terminate TLS on the Application Gateway. */
function azureIngressFinding(ingress: K8sObject): Violation | undefined {
  if (!isNonEmpty(valueAt(ingress, ['spec', 'tls']))) {
    return violation(ingress, {
      alertMessage: "Ingress object has 'spec.tls' value not set.",
      alertScore: 7,
      failedPaths: ['spec.tls'],
      reviewPaths: ['spec.tls'],
    });
  }
  const ingressClass = annotation(ingress, INGRESS_CLASS_ANNOTATION);
  if (ingressClass === undefined || ingressClass === APPLICATION_GATEWAY) return undefined;
  return violation(ingress, {
    alertMessage: `Ingress object has annotation '${INGRESS_CLASS_ANNOTATION}' != '${APPLICATION_GATEWAY}'.`,
    alertScore: 7,
    fixCommand: '',
    fixPaths: [{ path: `metadata.annotations[${INGRESS_CLASS_ANNOTATION}]`, value: APPLICATION_GATEWAY }],
  });
}

const azureHttpsLoadBalancerRule: RuleDefinition = {
  name: 'encrypt-traffic-to-https-load-balancers-with-tls-certificates',
  match: [
    { group: '', kinds: ['Service'] },
    { group: 'networking.k8s.io', kinds: ['Ingress'] },
  ],
  evaluate: ({ objects }) => {
    const services = ofKind(objects, 'Service');
    const serviceFindings = services.flatMap((service) => azureServiceFinding(service) ?? []);
    const internalLoadBalancer = services.some(
      (service) =>
        valueAt(service, ['spec', 'type']) === 'LoadBalancer' &&
        annotation(service, AZURE_INTERNAL_LB_ANNOTATION) === 'true',
    );
    if (!internalLoadBalancer) return serviceFindings;
    return [
      ...serviceFindings,
      ...ofKind(objects, 'Ingress').flatMap((ingress) => azureIngressFinding(ingress) ?? []),
    ];
  },
};

// ---- EKS roles (C-0232) --------------------------------------------------------------------------

/** Manual review: every Role should map to IAM identities through aws-iam-authenticator. */
const awsIamAuthenticatorRule: RuleDefinition = {
  name: 'review-roles-with-aws-iam-authenticator',
  match: [{ group: 'rbac.authorization.k8s.io', kinds: ['Role'] }],
  evaluate: ({ objects }) =>
    ofKind(objects, 'Role').map((role) =>
      externalViolation(role, {
        alertMessage: `For namespace '${role.metadata?.namespace ?? 'default'}', make sure Kubernetes RBAC users are managed with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156`,
        alertScore: 7,
      }),
    ),
};

export const managedClusterRules: RuleDefinition[] = [
  containerOptimizedOsRule,
  fargateRule,
  awsHttpsLoadBalancerRule,
  azureHttpsLoadBalancerRule,
  awsIamAuthenticatorRule,
];
