/**
 * Container registry and IAM rules over cloud collector objects: image scanning on ECR / Artifact
 * Registry repositories (DescribeRepositories), and who may use ECR / ACR / Artifact Registry
 * (PolicyVersion, ListEntitiesForPolicies).
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import { asObject, membersOf, valueAt } from '../host/values.ts';
import {
  cloudKindMatch,
  isCloudObject,
  isProviderObject,
  providerLabels,
  type CloudProvider,
} from './cloud-objects.ts';

const reportObject = (obj: K8sObject, alertMessage: string, fixCommand?: string): Violation =>
  externalViolation(obj, {
    alertMessage,
    alertScore: 7,
    ...(fixCommand !== undefined ? { fixCommand } : {}),
  });

// ---- image scanning (C-0221) -----------------------------------------------------------------------

const ecrScanOnPush = (repo: unknown): boolean =>
  valueAt(repo, ['ImageScanningConfiguration', 'ScanOnPush']) === true;
const garVulnerabilityScanning = (repo: unknown): boolean =>
  valueAt(repo, ['vulnerabilityScanningConfig', 'enableVulnerabilityScanning']) === true;

const SCANNING: readonly {
  provider: CloudProvider;
  repositories: string;
  scanned: (repo: unknown) => boolean;
  alertMessage: string;
  fixCommand: string;
}[] = [
  {
    provider: 'eks',
    repositories: 'Repositories',
    scanned: ecrScanOnPush,
    alertMessage: 'image scanning is not enabled',
    fixCommand:
      'aws ecr put-image-scanning-configuration --repository-name $REPO_NAME --image-scanning-configuration scanOnPush=true --region $REGION_CODE',
  },
  {
    provider: 'gke',
    repositories: 'registries',
    scanned: garVulnerabilityScanning,
    alertMessage: 'image scanning is not enabled for GCP Artifact Registry',
    fixCommand:
      'gcloud artifacts repositories update $REPO_NAME --location=$LOCATION --vulnerability-scanning-config=ENABLE_VULNERABILITY_SCANNING',
  },
];

const imageScanningRule: RuleDefinition = {
  name: 'ensure-image-scanning-enabled-cloud',
  match: [],
  dynamicMatch: cloudKindMatch(['eks', 'gke'], 'DescribeRepositories'),
  cloudProviders: providerLabels(['eks', 'gke']),
  evaluate: ({ objects }) =>
    objects.flatMap((obj) =>
      SCANNING.filter(
        (source) =>
          isCloudObject(obj, 'DescribeRepositories', source.provider) &&
          membersOf(valueAt(obj, ['data', source.repositories])).some((repo) => !source.scanned(repo)),
      ).map((source) =>
        externalViolation(obj, {
          alertMessage: source.alertMessage,
          alertScore: 3,
          fixCommand: source.fixCommand,
        }),
      ),
    ),
};

// ---- ECR access for node instance roles (C-0223) ------------------------------------------------

/** The CIS minimum: exactly these four read actions, on every resource. */
const ECR_READ_ONLY_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetAuthorizationToken',
  'ecr:GetDownloadUrlForLayer',
];

export function ecrStatementReadOnly(statement: unknown): boolean {
  const actions = valueAt(statement, ['Action']);
  if (!Array.isArray(actions) || !actions.every((action) => typeof action === 'string')) return false;
  const sorted = [...(actions as string[])].sort();
  return (
    valueAt(statement, ['Effect']) === 'Allow' &&
    valueAt(statement, ['Resource']) === '*' &&
    sorted.length === ECR_READ_ONLY_ACTIONS.length &&
    sorted.every((action, i) => action === ECR_READ_ONLY_ACTIONS[i])
  );
}

/** ARNs of the policies attached to a role whose name contains `NodeInstance`. */
function nodeInstanceRolePolicies(entities: K8sObject): string[] {
  const rolesPolicies = valueAt(entities, ['data', 'rolesPolicies']);
  return Object.entries(asObject(rolesPolicies) ?? {})
    .filter(([, attachment]) =>
      membersOf(valueAt(attachment, ['PolicyRoles'])).some((role) => {
        const name = valueAt(role, ['RoleName']);
        return typeof name === 'string' && name.includes('NodeInstance');
      }),
    )
    .map(([arn]) => arn);
}

const nodeInstanceRoleRule: RuleDefinition = {
  name: 'ensure_nodeinstancerole_has_right_permissions_for_ecr',
  match: [],
  dynamicMatch: [
    ...cloudKindMatch(['eks'], 'ListEntitiesForPolicies'),
    ...cloudKindMatch(['eks'], 'PolicyVersion'),
  ],
  cloudProviders: providerLabels(['eks']),
  evaluate: ({ objects }) => {
    const policyVersions = objects.filter((obj) => isProviderObject(obj, 'PolicyVersion', 'eks'));
    return objects
      .filter((obj) => isProviderObject(obj, 'ListEntitiesForPolicies', 'eks'))
      .filter((entities) => {
        const arns = nodeInstanceRolePolicies(entities);
        return policyVersions.some((policies) =>
          arns.some((arn) =>
            membersOf(valueAt(policies, ['data', 'policiesDocuments', arn, 'Statement'])).some(
              (statement) => !ecrStatementReadOnly(statement),
            ),
          ),
        );
      })
      .map((entities) =>
        reportObject(
          entities,
          'Cluster has none read-only access to ECR; Review AWS ECS worker node IAM role (NodeInstanceRole) IAM Policy Permissions to verify that they are set and the minimum required level.',
        ),
      );
  },
};

// ---- ACR access for service principals (C-0250) -------------------------------------------------

/** Some role definition assigned to a service principal allows an action that is not a read. */
function servicePrincipalCanWrite(entities: K8sObject, policyVersions: readonly K8sObject[]): boolean {
  const definitionIds: unknown[] = membersOf(valueAt(entities, ['data', 'roleAssignments']))
    .filter((assignment) => valueAt(assignment, ['properties', 'principalType']) === 'ServicePrincipal')
    .map((assignment) => valueAt(assignment, ['properties', 'roleDefinitionId']))
    .filter((id) => id !== undefined);
  return policyVersions.some((policies) =>
    membersOf(valueAt(policies, ['data', 'roleDefinitions']))
      .filter((definition) => definitionIds.includes(valueAt(definition, ['id'])))
      .some((definition) =>
        membersOf(valueAt(definition, ['properties', 'permissions'])).some((permission) =>
          membersOf(valueAt(permission, ['actions'])).some(
            (action) => typeof action === 'string' && !action.endsWith('read'),
          ),
        ),
      ),
  );
}

const servicePrincipalRule: RuleDefinition = {
  name: 'ensure-service-principle-has-read-only-permissions',
  match: [],
  dynamicMatch: [
    ...cloudKindMatch(['aks'], 'ListEntitiesForPolicies'),
    ...cloudKindMatch(['aks'], 'PolicyVersion'),
  ],
  cloudProviders: providerLabels(['aks']),
  evaluate: ({ objects }) => {
    const policyVersions = objects.filter((obj) => isProviderObject(obj, 'PolicyVersion', 'aks'));
    return objects
      .filter((obj) => isProviderObject(obj, 'ListEntitiesForPolicies', 'aks'))
      .filter((entities) => servicePrincipalCanWrite(entities, policyVersions))
      .map((entities) =>
        reportObject(entities, 'ServicePrincipal has permissions that are not read-only to ACR.'),
      );
  },
};

// ---- manual review of registry access (C-0222, C-0251, C-0308) -----------------------------------

/** Rules that report every policy listing of a provider for review. */
function reviewAllRule(
  name: string,
  kind: 'PolicyVersion' | 'ListEntitiesForPolicies',
  provider: CloudProvider,
  alertMessage: string,
  requireApiVersion: boolean,
): RuleDefinition {
  const selected = requireApiVersion ? isCloudObject : isProviderObject;
  return {
    name,
    match: [],
    dynamicMatch: cloudKindMatch([provider], kind),
    cloudProviders: providerLabels([provider]),
    evaluate: ({ objects }) =>
      objects.filter((obj) => selected(obj, kind, provider)).map((obj) => reportObject(obj, alertMessage)),
  };
}

export const registryAndIamRules: RuleDefinition[] = [
  imageScanningRule,
  nodeInstanceRoleRule,
  servicePrincipalRule,
  reviewAllRule(
    'ensure-aws-policies-are-present',
    'PolicyVersion',
    'eks',
    'Cluster has not policies to minimize access to Amazon ECR; Add some policy in order to minimize access on it.',
    false,
  ),
  reviewAllRule('list-role-definitions-in-acr', 'ListEntitiesForPolicies', 'aks', '', true),
  reviewAllRule('list-iam-policies-in-gcp', 'ListEntitiesForPolicies', 'gke', '', true),
];
