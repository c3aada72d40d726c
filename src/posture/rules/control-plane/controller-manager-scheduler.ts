/** kube-controller-manager (CIS 1.3.x) and kube-scheduler (CIS 1.4.x) flag rules. */
import type { RuleDefinition } from '../../model.ts';
import {
  bindAddressIsLocalhost,
  flagRule,
  rejectSetting,
  required,
  requireFlags,
  reviewWhenSet,
  staticPod,
} from './checks.ts';

const controllerManager = staticPod('kube-controller-manager');
const scheduler = staticPod('kube-scheduler');

/** `--profiling=true` as a whole item, or no `--profiling` at all. */
const profilingDisabled = rejectSetting({
  setting: '--profiling=true',
  match: 'equals',
  replacement: '--profiling=false',
  requiredMention: '--profiling',
});

export const controllerManagerRules: RuleDefinition[] = [
  flagRule({
    name: 'ensure-that-the-controller-manager-terminated-pod-gc-threshold-argument-is-set-as-appropriate',
    flagsOf: controllerManager,
    alertMessage: '--terminated-pod-gc-threshold flag not set to an appropriate value',
    check: reviewWhenSet({
      flag: 'terminated-pod-gc-threshold',
      presentMessage: 'Please validate that --terminated-pod-gc-threshold is set to an appropriate value',
      whenAbsent: {
        message: '--terminated-pod-gc-threshold flag not set to an appropriate value',
        suggestion: '--terminated-pod-gc-threshold=YOUR_VALUE',
      },
    }),
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-profiling-argument-is-set-to-false',
    flagsOf: controllerManager,
    alertMessage: 'profiling is enabled for the kube-controller-manager',
    check: profilingDisabled,
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-use-service-account-credentials-argument-is-set-to-true',
    flagsOf: controllerManager,
    alertMessage: '--use-service-account-credentials is set to false in the controller manager',
    check: rejectSetting({
      setting: '--use-service-account-credentials=false',
      match: 'equals',
      replacement: '--use-service-account-credentials=true',
      requiredMention: '--use-service-account-credentials',
    }),
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-service-account-private-key-file-argument-is-set-as-appropriate',
    flagsOf: controllerManager,
    alertMessage: 'service account token can not be rotated as needed',
    check: requireFlags([required('service-account-private-key-file', '<path/to/key/filename.key>')]),
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-root-ca-file-argument-is-set-as-appropriate',
    flagsOf: controllerManager,
    alertMessage:
      'the controller manager is not configured to inject the trusted ca.crt file into pods so that they can verify TLS connections to the API server',
    check: requireFlags([required('root-ca-file', '<path/to/key/ca.crt>')]),
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-RotateKubeletServerCertificate-argument-is-set-to-true',
    flagsOf: controllerManager,
    alertMessage: '`RotateKubeletServerCertificate` is set to false on the controller manager',
    // The feature gate sits inside `--feature-gates=a=true,b=false`, hence a substring match.
    check: rejectSetting({
      setting: 'RotateKubeletServerCertificate=false',
      match: 'contains',
      replacement: 'RotateKubeletServerCertificate=true',
    }),
  }),
  flagRule({
    name: 'ensure-that-the-controller-manager-bind-address-argument-is-set-to-127.0.0.1',
    flagsOf: controllerManager,
    alertMessage: 'the Controller Manager API service is not bound to a localhost interface only',
    check: bindAddressIsLocalhost,
  }),
];

export const schedulerRules: RuleDefinition[] = [
  flagRule({
    name: 'ensure-that-the-scheduler-profiling-argument-is-set-to-false',
    flagsOf: scheduler,
    alertMessage: 'profiling is enabled for the kube-scheduler',
    check: profilingDisabled,
  }),
  flagRule({
    name: 'ensure-that-the-scheduler-bind-address-argument-is-set-to-127.0.0.1',
    flagsOf: scheduler,
    alertMessage: 'the kube scheduler is not bound to a localhost interface only',
    check: bindAddressIsLocalhost,
  }),
];
