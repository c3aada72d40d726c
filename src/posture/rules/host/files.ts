/**
 * File permission and ownership rules over host-sensor file entries
 * (`{path, permissions, ownership: {uid, gid, username, groupname, error?}, content?}`).
 * Each rule is a row: which host object, which file entries, which requirement.
 */
import type { K8sObject, RuleDefinition, Violation } from '../../model.ts';
import { externalViolation } from '../../objects.ts';
import { hostRule, reducedHostObject, type HostKind } from './host-objects.ts';
import { asArray, asObject, isTruthy, valueAt, type JsonObject, type PathSegment } from './values.ts';

/** Where file entries live in the host object: one entry, or an array of them (optionally by suffix). */
interface FileLocation {
  path: readonly string[];
  many?: boolean;
  suffix?: string;
}

type Requirement = { maxPermissions: number } | { owner: string; group: string };

interface FileRuleRow {
  name: string;
  kind: HostKind;
  files: readonly FileLocation[];
  requirement: Requirement;
}

interface LocatedFile {
  file: JsonObject;
  /** Path of the entry in the host object, kept in the reduced alert object. */
  dataPath: PathSegment[];
}

function locateFiles(obj: K8sObject, location: FileLocation): LocatedFile[] {
  const value = valueAt(obj, location.path);
  const entries: { value: unknown; dataPath: PathSegment[] }[] = location.many
    ? (asArray(value) ?? []).map((item, index) => ({ value: item, dataPath: [...location.path, index] }))
    : [{ value, dataPath: [...location.path] }];
  const located: LocatedFile[] = [];
  for (const entry of entries) {
    const file = asObject(entry.value);
    if (!file) continue;
    if (location.suffix !== undefined) {
      const filePath = file.path;
      if (typeof filePath !== 'string' || !filePath.endsWith(location.suffix)) continue;
    }
    located.push({ file, dataPath: entry.dataPath });
  }
  return located;
}

const octal = (mode: number): string => mode.toString(8);

/** Unix permission check: every bit set beyond the allowed mask fails (0644 allows 0600, not 0660). */
export function permissionsExceed(actual: number, allowed: number): boolean {
  return (actual & ~allowed) !== 0;
}

function permissionFinding(
  obj: K8sObject,
  { file, dataPath }: LocatedFile,
  allowed: number,
): Violation | undefined {
  const permissions = file.permissions;
  // Without a path or an integer mode there is nothing to report (Kubescape's message needs both).
  if (file.path === undefined || typeof permissions !== 'number' || !Number.isInteger(permissions)) {
    return undefined;
  }
  if (!permissionsExceed(permissions, allowed)) return undefined;
  const path = String(file.path);
  return externalViolation(reducedHostObject(obj, [dataPath]), {
    alertMessage: `the permissions of ${path} are too permissive. maximum allowed: ${octal(allowed)}. actual: ${octal(permissions)}`,
    alertScore: 2,
    fixCommand: `chmod ${octal(allowed)} ${path}`,
  });
}

/** Ownership passes when the sensor could not read it (`error`), as Kubescape does. */
export function ownershipMismatch(ownership: unknown, owner: string, group: string): boolean {
  const value = asObject(ownership);
  if (!value || isTruthy(value.error)) return false;
  return value.username !== owner || value.groupname !== group;
}

function ownershipFinding(
  obj: K8sObject,
  { file, dataPath }: LocatedFile,
  owner: string,
  group: string,
): Violation | undefined {
  const ownership = asObject(file.ownership);
  if (!ownership || file.path === undefined) return undefined;
  if (ownership.username === undefined || ownership.groupname === undefined) return undefined;
  if (!ownershipMismatch(ownership, owner, group)) return undefined;
  const path = String(file.path);
  return externalViolation(reducedHostObject(obj, [dataPath]), {
    alertMessage: `${path} is not owned by ${owner}:${group} (actual owners are ${String(ownership.username)}:${String(ownership.groupname)})`,
    alertScore: 2,
    fixCommand: `chown ${owner}:${group} ${path}`,
  });
}

function fileRule(row: FileRuleRow): RuleDefinition {
  const { requirement } = row;
  const check = (obj: K8sObject, located: LocatedFile): Violation | undefined =>
    'maxPermissions' in requirement
      ? permissionFinding(obj, located, requirement.maxPermissions)
      : ownershipFinding(obj, located, requirement.owner, requirement.group);
  return hostRule(row.name, row.kind, (objects) =>
    objects.flatMap((obj) =>
      row.files.flatMap((location) =>
        locateFiles(obj, location).flatMap((located) => check(obj, located) ?? []),
      ),
    ),
  );
}

const MODE_600 = 0o600;
const MODE_644 = 0o644;
const MODE_700 = 0o700;
const ROOT: Requirement = { owner: 'root', group: 'root' };

const file = (...path: string[]): FileLocation => ({ path: ['data', ...path] });
/** An array of file entries under `data.<key>`, optionally only those whose path ends with `suffix`. */
const fileList = (key: string, suffix?: string): FileLocation => ({
  path: ['data', key],
  many: true,
  ...(suffix !== undefined ? { suffix } : {}),
});

const API_SERVER_SPEC = file('APIServerInfo', 'specsFile');
const CONTROLLER_MANAGER_SPEC = file('controllerManagerInfo', 'specsFile');
const CONTROLLER_MANAGER_CONF = file('controllerManagerInfo', 'configFile');
const SCHEDULER_SPEC = file('schedulerInfo', 'specsFile');
const SCHEDULER_CONF = file('schedulerInfo', 'configFile');
const ETCD_SPEC = file('etcdConfigFile');
const ETCD_DATA_DIR = file('etcdDataDir');
const ADMIN_CONF = file('adminConfigFile');
const PKI_DIR = file('PKIDir');
const KUBELET_SERVICE_FILES = fileList('serviceFiles');
const KUBELET_KUBECONFIG = file('kubeConfigFile');
const KUBELET_CONFIG = file('configFile');
const KUBELET_CLIENT_CA = file('clientCAFile');
const KUBE_PROXY_KUBECONFIG = file('kubeConfigFile');
const CNI_CONFIG_FILES = fileList('CNIConfigFiles');

const ROWS: readonly FileRuleRow[] = [
  // Control plane (ControlPlaneInfo), CIS 1.1.x
  {
    name: 'ensure-that-the-API-server-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [API_SERVER_SPEC],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-API-server-pod-specification-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [API_SERVER_SPEC],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-controller-manager-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [CONTROLLER_MANAGER_SPEC],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-controller-manager-pod-specification-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [CONTROLLER_MANAGER_SPEC],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-scheduler-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [SCHEDULER_SPEC],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-scheduler-pod-specification-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [SCHEDULER_SPEC],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-etcd-pod-specification-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [ETCD_SPEC],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-etcd-pod-specification-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [ETCD_SPEC],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-etcd-data-directory-permissions-are-set-to-700-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [ETCD_DATA_DIR],
    requirement: { maxPermissions: MODE_700 },
  },
  {
    // The library checks root:root here despite the rule's name.
    name: 'ensure-that-the-etcd-data-directory-ownership-is-set-to-etcd-etcd',
    kind: 'ControlPlaneInfo',
    files: [ETCD_DATA_DIR],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-admin.conf-file-permissions-are-set-to-600',
    kind: 'ControlPlaneInfo',
    files: [ADMIN_CONF],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-admin.conf-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [ADMIN_CONF],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-scheduler.conf-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [SCHEDULER_CONF],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-scheduler.conf-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [SCHEDULER_CONF],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-controller-manager.conf-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [CONTROLLER_MANAGER_CONF],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-controller-manager.conf-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [CONTROLLER_MANAGER_CONF],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-Kubernetes-PKI-directory-and-file-ownership-is-set-to-root-root',
    kind: 'ControlPlaneInfo',
    files: [fileList('PKIFiles'), PKI_DIR],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-Kubernetes-PKI-certificate-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'ControlPlaneInfo',
    files: [fileList('PKIFiles', '.crt')],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-Kubernetes-PKI-key-file-permissions-are-set-to-600',
    kind: 'ControlPlaneInfo',
    files: [fileList('PKIFiles', '.key')],
    requirement: { maxPermissions: MODE_600 },
  },
  // Worker nodes (KubeletInfo, KubeProxyInfo, CNIInfo), CIS 4.1.x
  {
    name: 'ensure-that-the-kubelet-service-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_SERVICE_FILES],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-kubelet-service-file-ownership-is-set-to-root-root',
    kind: 'KubeletInfo',
    files: [KUBELET_SERVICE_FILES],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-kubeconfig-kubelet.conf-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_KUBECONFIG],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'Ensure-that-the-kubeconfig-file-permissions-are-set-to-644-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_KUBECONFIG],
    requirement: { maxPermissions: MODE_644 },
  },
  {
    name: 'ensure-that-the-kubeconfig-kubelet.conf-file-ownership-is-set-to-root-root',
    kind: 'KubeletInfo',
    files: [KUBELET_KUBECONFIG],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-certificate-authorities-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_CLIENT_CA],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-client-certificate-authorities-file-ownership-is-set-to-root-root',
    kind: 'KubeletInfo',
    files: [KUBELET_CLIENT_CA],
    requirement: ROOT,
  },
  {
    name: 'if-the-kubelet-config.yaml-configuration-file-is-being-used-validate-permissions-set-to-600-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_CONFIG],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-kubelet-configuration-file-has-permissions-set-to-644-or-more-restrictive',
    kind: 'KubeletInfo',
    files: [KUBELET_CONFIG],
    requirement: { maxPermissions: MODE_644 },
  },
  {
    name: 'ensure-that-the-kubelet-configuration-file-ownership-is-set-to-root-root',
    kind: 'KubeletInfo',
    files: [KUBELET_CONFIG],
    requirement: ROOT,
  },
  {
    name: 'if-proxy-kubeconfig-file-exists-ensure-permissions-are-set-to-600-or-more-restrictive',
    kind: 'KubeProxyInfo',
    files: [KUBE_PROXY_KUBECONFIG],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'if-proxy-kubeconfig-file-exists-ensure-ownership-is-set-to-root-root',
    kind: 'KubeProxyInfo',
    files: [KUBE_PROXY_KUBECONFIG],
    requirement: ROOT,
  },
  {
    name: 'ensure-that-the-Container-Network-Interface-file-permissions-are-set-to-600-or-more-restrictive',
    kind: 'CNIInfo',
    files: [CNI_CONFIG_FILES],
    requirement: { maxPermissions: MODE_600 },
  },
  {
    name: 'ensure-that-the-Container-Network-Interface-file-ownership-is-set-to-root-root',
    kind: 'CNIInfo',
    files: [CNI_CONFIG_FILES],
    requirement: ROOT,
  },
];

export const fileRules: RuleDefinition[] = ROWS.map(fileRule);
