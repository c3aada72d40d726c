/**
 * Ingress and Gateway API rules: ingresses without TLS, and ingress / route backends naming a
 * Service that does not exist. Service existence is an index lookup per backend (linear overall).
 */
import type { K8sObject, ObjectIndex, RuleDefinition, Violation } from '../../model.ts';
import { nameOf, namespaceOf, violation } from '../../objects.ts';
import { asArray, asRecord, isRegoFalsy, kinds, specOf } from './values.ts';

const ingressNoTls: RuleDefinition = {
  name: 'ingress-no-tls',
  match: [kinds('networking.k8s.io', 'Ingress')],
  evaluate: ({ objects }) =>
    objects
      // Only a missing (or `false`) `tls` fails; `tls: []` is a written, if empty, definition.
      .filter((ingress) => isRegoFalsy(specOf(ingress)?.tls))
      .map((ingress) =>
        violation(ingress, {
          alertMessage: `Ingress '${nameOf(ingress)}' has not TLS definition`,
          fixPaths: [{ path: 'spec.tls', value: '<your-tls-definition>' }],
          alertScore: 7,
        }),
      ),
};

/** The namespace objects are looked up in: the written one, `default` when there is none. */
function lookupNamespace(obj: K8sObject): string {
  return namespaceOf(obj) ?? 'default';
}

function serviceExists(index: ObjectIndex, namespace: unknown, name: unknown): boolean {
  return (
    typeof namespace === 'string' &&
    typeof name === 'string' &&
    index.get('Service', namespace, name) !== undefined
  );
}

/** The Service name of an ingress backend (`backend.service.name`); undefined when it names none. */
function backendServiceName(backend: unknown): unknown {
  const record = asRecord(backend);
  if (!record) return undefined;
  return asRecord(record.service ?? {})?.name;
}

const danglingIngressBackend: RuleDefinition = {
  name: 'dangling-ingress-backend',
  match: [kinds('networking.k8s.io', 'Ingress'), kinds('', 'Service')],
  evaluate: ({ index }) =>
    index.ofKind('Ingress').flatMap((ingress) => {
      const spec = specOf(ingress);
      if (!spec) return [];
      const namespace = lookupNamespace(ingress);
      const found: Violation[] = [];
      const report = (serviceName: unknown, path: string, backendLabel: string): void => {
        if (serviceName === undefined || serviceExists(index, namespace, serviceName)) return;
        found.push(
          violation(ingress, {
            alertMessage: `Ingress '${nameOf(ingress)}' ${backendLabel} Service '${String(serviceName)}' does not exist in namespace '${namespace}'`,
            failedPaths: [path],
            alertScore: 4,
          }),
        );
      };
      asArray(spec.rules).forEach((rule, i) => {
        asArray(asRecord(asRecord(rule)?.http)?.paths).forEach((httpPath, j) => {
          report(
            backendServiceName(asRecord(httpPath)?.backend),
            `spec.rules[${i}].http.paths[${j}].backend.service.name`,
            'backend',
          );
        });
      });
      report(backendServiceName(spec.defaultBackend), 'spec.defaultBackend.service.name', 'defaultBackend');
      return found;
    }),
};

const ROUTE_KINDS = ['HTTPRoute', 'TCPRoute', 'UDPRoute'] as const;

/** A backendRef is a core Service unless its kind/group say otherwise (other backends are skipped). */
function refersToService(ref: Record<string, unknown>): boolean {
  return (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '';
}

const danglingGatewayBackend: RuleDefinition = {
  name: 'dangling-gateway-backend',
  match: [kinds('gateway.networking.k8s.io', ...ROUTE_KINDS), kinds('', 'Service')],
  evaluate: ({ index }) =>
    ROUTE_KINDS.flatMap((kind) =>
      index.ofKind(kind).flatMap((route) => {
        const found: Violation[] = [];
        asArray(specOf(route)?.rules).forEach((rule, i) => {
          asArray(asRecord(rule)?.backendRefs).forEach((entry, j) => {
            const ref = asRecord(entry);
            if (!ref || !refersToService(ref) || ref.name === undefined) return;
            // A ref may point into another namespace (allowed by a ReferenceGrant).
            const namespace = ref.namespace ?? lookupNamespace(route);
            if (serviceExists(index, namespace, ref.name)) return;
            found.push(
              violation(route, {
                alertMessage: `${route.kind} '${nameOf(route)}' backendRef '${String(ref.name)}' does not exist in namespace '${String(namespace)}'`,
                failedPaths: [`spec.rules[${i}].backendRefs[${j}].name`],
                alertScore: 4,
              }),
            );
          });
        });
        return found;
      }),
    ),
};

export const routingRules: RuleDefinition[] = [ingressNoTls, danglingIngressBackend, danglingGatewayBackend];
