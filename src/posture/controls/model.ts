/** Control and framework metadata (Kubescape's regolibrary controls/*.json and frameworks/*.json). */

export type ScanningScope = 'cluster' | 'file' | 'cloud' | 'EKS' | 'AKS' | 'GKE';

/** Data beyond Kubernetes objects a control needs; without it the control is reported skipped. */
export type ExternalData =
  'host-sensor' | 'cloud-provider' | 'image-vulnerabilities' | 'registry' | 'service-scan';

export interface ControlDefinition {
  /** `C-0017`. */
  id: string;
  name: string;
  /** What the control checks and why it matters, in one or two sentences. */
  description: string;
  /** What to change, in one or two sentences. */
  remediation: string;
  /** Kubescape's baseScore (the severity is derived from it). */
  baseScore: number;
  category?: { name: string; subCategory?: { name: string } };
  /** Kubescape rule names; the control fails on a resource when any rule fails on it. */
  rules: readonly string[];
  scanningScope: readonly ScanningScope[];
  /** Kubescape's attributes.actionRequired. */
  actionRequired?: 'configuration' | 'requires review' | 'manual review';
  /** Set when every rule of the control needs this data (host-sensor, cloud APIs, ...). */
  requires?: ExternalData;
  /** attributes.controlTypeTags, e.g. ['security', 'compliance']. */
  tags: readonly string[];
}

export interface FrameworkDefinition {
  /** Name as Kubescape spells it (`NSA`, `MITRE`, `cis-v1.10.0`, ...); lookups are case-insensitive. */
  name: string;
  description: string;
  version?: string;
  scanningScope: readonly ScanningScope[];
  typeTags: readonly string[];
  /** Control IDs, sorted. */
  controls: readonly string[];
  /** Removed from Kubescape's library but still offered (users ask for it). */
  deleted?: boolean;
}
