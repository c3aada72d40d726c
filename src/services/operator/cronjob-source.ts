/**
 * Where CronJob templates come from: the chart's template ConfigMap in the operator namespace when
 * it exists (so chart values such as images, tolerations and proxies apply), else the built-in
 * template equal to the chart's default rendering.
 */
import type { Logger } from '../../common/index.ts';
import { ErrorCodes, KubeguardError } from '../../common/index.ts';
import {
  builtinKubescapeTemplate,
  builtinKubevulnTemplate,
  CRONJOB_TEMPLATE_KEY,
  KUBESCAPE_CRONJOB_TEMPLATE,
  parseCronJobTemplate,
} from './cronjob-templates.ts';
import type { KubeRest } from './kube-rest.ts';
import { resourcePath } from './kube-rest.ts';
import type { JsonObject } from './types.ts';

export interface CronJobTemplateSource {
  rest: KubeRest;
  namespace: string;
  logger: Logger;
}

export async function loadCronJobTemplate(
  source: CronJobTemplateSource,
  configMapName: string,
): Promise<JsonObject> {
  const path = resourcePath(
    { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
    source.namespace,
    configMapName,
  );
  const configMap = await source.rest.get<{ data?: Record<string, string> }>(path);
  if (!configMap) {
    source.logger.debug(
      `no ConfigMap ${source.namespace}/${configMapName}; using the built-in CronJob template`,
    );
    return configMapName === KUBESCAPE_CRONJOB_TEMPLATE
      ? builtinKubescapeTemplate(source.namespace)
      : builtinKubevulnTemplate(source.namespace);
  }
  const text = configMap.data?.[CRONJOB_TEMPLATE_KEY];
  if (text === undefined) {
    throw new KubeguardError(
      ErrorCodes.invalidInput,
      `ConfigMap ${source.namespace}/${configMapName} has no ${CRONJOB_TEMPLATE_KEY} key`,
    );
  }
  return parseCronJobTemplate(text, `ConfigMap ${source.namespace}/${configMapName}`);
}
