/**
 * Control-plane static-pod rules (controls.md §2.2): flag checks on the kube-apiserver,
 * kube-controller-manager, kube-scheduler and etcd Pods, plus the API server's encryption
 * configuration as read by the host sensor.
 */
import type { RuleDefinition } from '../../model.ts';
import { apiServerRules } from './apiserver.ts';
import { controllerManagerRules, schedulerRules } from './controller-manager-scheduler.ts';
import { encryptionProviderConfig } from './encryption-provider-config.ts';
import { etcdFlagRules, etcdUniqueCa } from './etcd.ts';
import { insecurePortFlag, nativeRules } from './native.ts';

export const rules: RuleDefinition[] = [
  ...apiServerRules,
  encryptionProviderConfig,
  ...controllerManagerRules,
  ...schedulerRules,
  ...etcdFlagRules,
  etcdUniqueCa,
  ...nativeRules,
  insecurePortFlag,
];
