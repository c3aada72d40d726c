import fs from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ErrorCodes, KubeguardError, messageOf } from '../common/index.ts';

/**
 * Loads a kubeconfig the way kubectl does: an explicit path, else $KUBECONFIG, else ~/.kube/config,
 * else the in-cluster service account. Errors name the file that could not be used.
 */
export function loadKubeConfig(path?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  const file = path ?? process.env.KUBECONFIG?.split(':').find((p) => p !== '');
  try {
    if (file) {
      if (!fs.existsSync(file)) {
        throw new KubeguardError(ErrorCodes.notFound, `kubeconfig ${file} does not exist`, {
          hint: 'pass --kubeconfig, set KUBECONFIG, or start the dev cluster: kubeguard dev cluster up',
        });
      }
      kc.loadFromFile(file);
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof KubeguardError) throw err;
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `cannot read kubeconfig ${file ?? '(default)'}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  if (context) kc.setCurrentContext(context);
  if (!kc.getCurrentCluster()) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `kubeconfig ${file ?? '(default)'} names no current cluster`,
      {
        hint: 'choose a context with --context or `kubectl config use-context`',
      },
    );
  }
  return kc;
}
