/** OpenVulnerabilityExchangeContainer: an OpenVEX v0.2.0 document as `spec` (storage-api.md §2.7). */
import type { KubeObject } from '../meta.ts';
import { arr, int64, mapOf, obj, str, strings, type SchemaObject } from '../schema.ts';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export type VexJustification =
  | 'component_not_present'
  | 'vulnerable_code_not_present'
  | 'vulnerable_code_not_in_execute_path'
  | 'vulnerable_code_cannot_be_controlled_by_adversary'
  | 'inline_mitigations_already_exist';

export interface VexComponent {
  '@id'?: string;
  /** Algorithm -> hash. */
  hashes?: Record<string, string>;
  /** Identifier type (purl, cpe23…) -> identifier. */
  identifiers?: Record<string, string>;
  supplier?: string;
}

export type VexSubcomponent = VexComponent;

/** A component (inlined) with its subcomponents. */
export interface VexProduct extends VexComponent {
  subcomponents?: VexSubcomponent[];
}

export interface VexVulnerability {
  '@id'?: string;
  name?: string;
  description?: string;
  aliases?: string[];
}

export interface VexStatement {
  '@id'?: string;
  vulnerability: VexVulnerability;
  timestamp?: string;
  last_updated?: string;
  products: VexProduct[];
  status: VexStatus;
  status_notes?: string;
  justification?: VexJustification;
  impact_statement?: string;
  action_statement?: string;
  action_statement_timestamp?: string;
}

/** The VEX document; its metadata is inlined at the top level. */
export interface VexDocument {
  '@context': string;
  '@id': string;
  author: string;
  role?: string;
  timestamp: string;
  last_updated?: string;
  version: number;
  tooling?: string;
  supplier?: string;
  statements: VexStatement[];
}

export interface OpenVulnerabilityExchangeContainer extends KubeObject {
  spec: VexDocument;
}

const componentProperties: Record<string, SchemaObject> = {
  '@id': str('IRI of the component, e.g. a pkg:oci or package URL.'),
  hashes: mapOf({ type: 'string' }, 'Hashes of the component by algorithm.'),
  identifiers: mapOf({ type: 'string' }, 'Software identifiers of the component by type.'),
  supplier: str('Supplier of the component.'),
};

export const vexDocumentSchema = obj(
  {
    '@context': str('JSON-LD context, https://openvex.dev/ns/v0.2.0.'),
    '@id': str('Document ID: hex SHA-256 of the canonical document.'),
    author: str('Author of the document.'),
    role: str('Role of the author.'),
    timestamp: str('When the document was issued (RFC 3339).'),
    last_updated: str('When the document last changed (RFC 3339).'),
    version: int64('Document version, bumped on every change.'),
    tooling: str('Tool that generated the document.'),
    supplier: str('Supplier of the document.'),
    statements: arr(
      obj(
        {
          '@id': str('Statement ID.'),
          vulnerability: obj(
            {
              '@id': str('IRI of the vulnerability record.'),
              name: str('Vulnerability ID.'),
              description: str('Description of the vulnerability.'),
              aliases: strings('Other IDs of the vulnerability.'),
            },
            'The vulnerability the statement is about.',
          ),
          timestamp: str('When the statement was known to be true.'),
          last_updated: str('When the statement last changed.'),
          products: arr(
            obj(
              {
                ...componentProperties,
                subcomponents: arr(obj(componentProperties, 'One subcomponent.'), 'Affected packages.'),
              },
              'One product (an image).',
            ),
            'Products the status applies to.',
          ),
          status: str('not_affected, affected, fixed or under_investigation.'),
          status_notes: str('How the status was determined.'),
          justification: str('Why a product is not affected.'),
          impact_statement: str('Why the vulnerability cannot be exploited.'),
          action_statement: str('What to do about an affected product.'),
          action_statement_timestamp: str('When the action statement was written.'),
        },
        'One VEX statement.',
      ),
      'VEX statements.',
    ),
  },
  'An OpenVEX v0.2.0 document.',
);
