/**
 * Shapes shared by several kinds. Wire conventions (storage-api.md §1): Go structs are always
 * emitted, nil slices without `omitempty` arrive as `null`, a zero metav1.Time is `null`.
 */
import { arr, mapOf, nullable, obj, str, strings, time, type SchemaObject } from '../schema.ts';

/** Opaque JSON kept verbatim (Go json.RawMessage). */
export type RawJson = unknown;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector; several specs inline it, so `matchLabels` sits directly in `spec`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ToolMeta {
  name: string;
  version: string;
}

export interface ReportMeta {
  /** RFC 3339; `null` when never set (kubevuln never sets it on CVE manifests). */
  createdAt: string | null;
}

/** `spec.metadata` of the SBOM kinds. */
export interface SPDXMeta {
  tool: ToolMeta;
  report: ReportMeta;
}

export const labelSelectorProperties: Record<string, SchemaObject> = {
  matchLabels: mapOf({ type: 'string' }, 'Labels an object must carry, all of them, to be selected.'),
  matchExpressions: arr(
    obj(
      {
        key: str('Label key the requirement applies to.'),
        operator: str('In, NotIn, Exists or DoesNotExist.'),
        values: strings('Values for In and NotIn; empty for Exists and DoesNotExist.'),
      },
      'One label requirement.',
    ),
    'Label requirements, all of which must hold.',
  ),
};

export const labelSelectorSchema = (description: string): SchemaObject =>
  obj(labelSelectorProperties, description);

export const toolMetaSchema = obj(
  {
    name: str('Name of the tool that produced the document.'),
    version: str('Version of that tool.'),
  },
  'The tool that produced the document.',
);

export const spdxMetaSchema = obj(
  {
    tool: toolMetaSchema,
    report: obj(
      { createdAt: nullable(time('When the report was created; null when unset.')) },
      'Report metadata.',
    ),
  },
  'Metadata about the SBOM: the tool that made it and when.',
);
