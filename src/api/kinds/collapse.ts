/** CollapseConfiguration (storage-api.md §2.13): cluster-scoped, the one named `default` is used. */
import type { KubeObject } from '../meta.ts';
import { arr, int32, obj, str } from '../schema.ts';

export interface CollapseConfigEntry {
  /** Path prefix, e.g. `/etc`. */
  prefix: string;
  threshold: number;
}

export interface CollapseConfigurationSpec {
  openDynamicThreshold?: number;
  endpointDynamicThreshold?: number;
  /** Per-prefix overrides, longest prefix wins. */
  collapseConfigs?: CollapseConfigEntry[];
}

export interface CollapseConfiguration extends KubeObject {
  spec: CollapseConfigurationSpec;
}

export const collapseConfigurationSpecSchema = obj(
  {
    openDynamicThreshold: int32(
      'Children a path node may have before opens collapse, when no prefix matches.',
    ),
    endpointDynamicThreshold: int32('The same threshold for HTTP endpoints.'),
    collapseConfigs: arr(
      obj(
        {
          prefix: str('Path prefix the threshold applies under, e.g. /etc.'),
          threshold: int32('Children a node under the prefix may have before it collapses.'),
        },
        'One per-prefix threshold.',
      ),
      'Per-prefix thresholds; the longest matching prefix wins.',
    ),
  },
  'Thresholds for collapsing file and endpoint paths in profiles.',
);
