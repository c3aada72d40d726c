/**
 * The chart's custom resource definitions the operator and its peers use (components.md §2.4, §3.3):
 * `operatorcommands.kubescape.io` v1alpha1 (status subresource), `securityexceptions` and
 * `clustersecurityexceptions.kubescape.io` v1beta1, `servicesscanresults.kubescape.io` v1. Schemas
 * follow chart 1.40.3; `applyCrds` installs them in a cluster and waits until they are served.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { messageOf } from '../common/index.ts';
import { run } from './proc.ts';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
const preserve: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const exceptionPrinterColumns = [
  { name: 'Reason', type: 'string', jsonPath: '.spec.reason' },
  { name: 'Expires', type: 'string', jsonPath: '.spec.expiresAt' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function exceptionSpec(clusterScoped: boolean): Schema {
  return {
    type: 'object',
    properties: {
      author: str,
      reason: str,
      expiresAt: { type: 'string', format: 'date-time' },
      match: {
        type: 'object',
        properties: {
          ...(clusterScoped ? { namespaceSelector: preserve } : {}),
          objectSelector: preserve,
          resources: {
            type: 'array',
            items: {
              type: 'object',
              required: ['kind'],
              properties: { apiGroup: str, kind: str, name: str },
            },
          },
          images: { type: 'array', items: str },
        },
      },
      vulnerabilities: {
        type: 'array',
        items: {
          type: 'object',
          required: ['vulnerability', 'status'],
          properties: {
            vulnerability: {
              type: 'object',
              required: ['id'],
              properties: { id: str, aliases: { type: 'array', items: str } },
            },
            status: { type: 'string', enum: ['not_affected', 'fixed', 'under_investigation'] },
            justification: {
              type: 'string',
              enum: [
                'component_not_present',
                'vulnerable_code_not_present',
                'vulnerable_code_not_in_execute_path',
                'vulnerable_code_cannot_be_controlled_by_adversary',
                'inline_mitigations_already_exist',
              ],
            },
            impactStatement: str,
            expiredOnFix: { type: 'boolean' },
          },
        },
      },
      posture: {
        type: 'array',
        items: {
          type: 'object',
          required: ['controlID', 'action'],
          properties: {
            controlID: str,
            frameworkName: str,
            action: { type: 'string', enum: ['ignore', 'alert_only'] },
          },
        },
      },
    },
  };
}

function securityExceptionCrd(clusterScoped: boolean): Schema {
  const kind = clusterScoped ? 'ClusterSecurityException' : 'SecurityException';
  const plural = clusterScoped ? 'clustersecurityexceptions' : 'securityexceptions';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.kubescape.io` },
    spec: {
      group: 'kubescape.io',
      names: {
        plural,
        singular: kind.toLowerCase(),
        kind,
        shortNames: [clusterScoped ? 'cse' : 'se'],
      },
      scope: clusterScoped ? 'Cluster' : 'Namespaced',
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: { spec: exceptionSpec(clusterScoped), status: { type: 'object' } },
            },
          },
          additionalPrinterColumns: exceptionPrinterColumns,
          subresources: { status: {} },
        },
      ],
    },
  };
}

export const OPERATOR_COMMAND_CRD: Schema = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'operatorcommands.kubescape.io' },
  spec: {
    group: 'kubescape.io',
    names: {
      plural: 'operatorcommands',
      singular: 'operatorcommand',
      kind: 'OperatorCommand',
      shortNames: ['opcmd'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  guid: str,
                  commandType: str,
                  commandVersion: nullable(str),
                  designators: { type: 'array', items: { type: 'object', additionalProperties: true } },
                  body: nullable({ type: 'string', format: 'byte' }),
                  ttl: nullable({ type: 'string', format: 'duration' }),
                  args: nullable({ type: 'object', additionalProperties: true }),
                  commandIndex: nullable({ type: 'integer' }),
                  commandCount: nullable({ type: 'integer' }),
                },
              },
              status: {
                type: 'object',
                properties: {
                  started: { type: 'boolean' },
                  startedAt: nullable({ type: 'string', format: 'date-time' }),
                  completed: { type: 'boolean' },
                  completedAt: nullable({ type: 'string', format: 'date-time' }),
                  executer: nullable(str),
                  error: {
                    type: 'object',
                    nullable: true,
                    properties: {
                      reason: nullable(str),
                      message: nullable(str),
                      errorCode: nullable({ type: 'integer' }),
                    },
                  },
                  payload: nullable({ type: 'string', format: 'byte' }),
                },
              },
            },
          },
        },
        subresources: { status: {} },
      },
    ],
  },
};

export const SERVICES_SCAN_RESULT_CRD: Schema = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicesscanresults.kubescape.io' },
  spec: {
    group: 'kubescape.io',
    names: {
      kind: 'ServiceScanResult',
      plural: 'servicesscanresults',
      shortNames: ['kssa'],
      singular: 'servicescanresult',
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  clusterIP: str,
                  ports: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        port: { type: 'integer' },
                        protocol: str,
                        sessionLayer: str,
                        presentationLayer: str,
                        applicationLayer: str,
                        authenticated: nullable({ type: 'boolean' }),
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** Every CRD of this module, in apply order. */
export function crdManifests(): Schema[] {
  return [
    OPERATOR_COMMAND_CRD,
    securityExceptionCrd(false),
    securityExceptionCrd(true),
    SERVICES_SCAN_RESULT_CRD,
  ];
}

/** Names of the CRDs (`<plural>.<group>`). */
export function crdNames(): string[] {
  return crdManifests().map((crd) => (crd['metadata'] as { name: string }).name);
}

/**
 * Applies the CRDs with kubectl (server-side, so re-applying updates them) and waits until the
 * API server has established them.
 */
export async function applyCrds(
  kubeconfig: string,
  options: { timeoutSeconds?: number } = {},
): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeguard-crds-'));
  const file = path.join(dir, 'crds.json');
  try {
    // One JSON document per CRD: kubectl validates a `List` against OpenAPI v2, which the
    // aggregator does not serve while an aggregated server (our storage) lacks it.
    fs.writeFileSync(
      file,
      crdManifests()
        .map((crd) => JSON.stringify(crd))
        .join('\n'),
    );
    const apply = () =>
      run('kubectl', [
        '--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '--field-manager=kubeguard', '-f', file,
      ]); // prettier-ignore
    // kubectl validates against the aggregated OpenAPI document, which is briefly unavailable after
    // an aggregated API server (our storage) registers: retry that, and only that.
    for (let attempt = 1; ; attempt++) {
      try {
        await apply();
        break;
      } catch (err) {
        if (attempt >= 60 || !/unable to handle the request/.test(messageOf(err))) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const names = crdNames();
  await run('kubectl', [
    '--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', `--timeout=${options.timeoutSeconds ?? 60}s`,
    ...names.map((n) => `crd/${n}`),
  ]); // prettier-ignore
  return names;
}
