/** etcd flag rules (CIS 2.x), including the one that compares etcd's CA with the API server's. */
import type { K8sObject, RuleDefinition } from '../../model.ts';
import { violation } from '../../objects.ts';
import { flagRule, POD_MATCH, rejectSetting, required, requireFlags, staticPod } from './checks.ts';
import { firstContainerFlags, flagItems, flagPath, isControlPlanePod, type PodRecognition } from './flags.ts';

const etcd = staticPod('etcd');

export const etcdFlagRules: RuleDefinition[] = [
  flagRule({
    name: 'etcd-tls-enabled',
    flagsOf: etcd,
    alertMessage: 'etcd encryption is not enabled',
    check: requireFlags([
      required('cert-file', '<path/to/tls-certificate-file.crt>'),
      required('key-file', '<path/to/tls-key-file.key>'),
    ]),
  }),
  flagRule({
    name: 'etcd-client-auth-cert',
    flagsOf: etcd,
    alertMessage: 'Etcd server is not requiring a valid client certificate',
    check: rejectSetting({
      setting: '--client-cert-auth=false',
      match: 'contains',
      replacement: '--client-cert-auth=true',
      requiredMention: '--client-cert-auth',
    }),
  }),
  flagRule({
    name: 'etcd-auto-tls-disabled',
    flagsOf: etcd,
    alertMessage: 'Auto tls is enabled. Clients are able to use self-signed certificates for TLS.',
    check: rejectSetting({ setting: '--auto-tls=true', match: 'contains', replacement: '--auto-tls=false' }),
  }),
  flagRule({
    name: 'etcd-peer-tls-enabled',
    flagsOf: etcd,
    alertMessage: 'Etcd encryption for peer connection is not enabled.',
    check: requireFlags(
      [
        required('peer-cert-file', '<path/to/tls-certificate-file.crt>'),
        required('peer-key-file', '<path/to/tls-key-file.key>'),
      ],
      'flag-list',
    ),
  }),
  flagRule({
    name: 'etcd-peer-client-auth-cert',
    flagsOf: etcd,
    alertMessage: 'Etcd server is not requiring a valid client certificate.',
    check: rejectSetting({
      setting: '--peer-client-cert-auth=false',
      match: 'contains',
      replacement: '--peer-client-cert-auth=true',
      requiredMention: '--peer-client-cert-auth',
    }),
  }),
  flagRule({
    name: 'etcd-peer-auto-tls-disabled',
    flagsOf: etcd,
    alertMessage: 'Peer auto tls is enabled. Peer clients are able to use self-signed certificates for TLS.',
    check: rejectSetting({
      setting: '--peer-auto-tls=true',
      match: 'contains',
      replacement: '--peer-auto-tls=false',
    }),
  }),
];

/** Both pods are looked for in any namespace, by the first word of `command[0]`. */
const ANYWHERE: PodRecognition = { inKubeSystem: false, firstWordOfCommand: true };

/**
 * The value of `--<flag>=value` in the first item that sets it, with its path. The value ends at the
 * next `=`, as Kubescape splits items on `=`.
 */
function flagSetting(pod: K8sObject, flag: string): { path: string; value: string } | undefined {
  const flags = firstContainerFlags(pod);
  if (!flags) return undefined;
  for (const [index, item] of flagItems(flags)) {
    const parts = item.split('=');
    const at = parts.indexOf(flag);
    const value = at >= 0 ? parts[at + 1] : undefined;
    if (value !== undefined) return { path: flagPath(flags, index), value };
  }
  return undefined;
}

/**
 * C-0159: etcd must trust its own CA, not the one that signs API clients. Compares the first etcd
 * pod's `--trusted-ca-file` with the first API server pod's `--client-ca-file`; both pods fail together.
 */
export const etcdUniqueCa: RuleDefinition = {
  name: 'etcd-unique-ca',
  match: POD_MATCH,
  evaluate({ objects }) {
    const etcdPod = objects.find((pod) => isControlPlanePod(pod, 'etcd', ANYWHERE));
    const apiServerPod = objects.find((pod) => isControlPlanePod(pod, 'kube-apiserver', ANYWHERE));
    if (!etcdPod || !apiServerPod) return [];
    const etcdCa = flagSetting(etcdPod, '--trusted-ca-file');
    const apiServerCa = flagSetting(apiServerPod, '--client-ca-file');
    if (!etcdCa || !apiServerCa || etcdCa.value !== apiServerCa.value) return [];
    const paths = [etcdCa.path, apiServerCa.path];
    const suggestion = '<path/to/different-tls-certificate-file.crt>';
    return [
      violation([etcdPod, apiServerPod], {
        alertMessage: 'Cert file is the same both for the api server and the etcd',
        failedPaths: paths,
        reviewPaths: [...paths],
        fixPaths: paths.map((path) => ({ path, value: suggestion })),
      }),
    ];
  },
};
