import jsonPatch from 'fast-json-patch';
import type { KubeObject } from '../../api/index.ts';
import { messageOf } from '../../common/index.ts';
import { errors } from './status.ts';

export const PatchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Applies a patch body of the given content type to an object; errors become Status errors. */
export function applyPatch(object: KubeObject, contentType: string, body: string): KubeObject {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    throw errors.badRequest(`the patch is not valid JSON: ${messageOf(err)}`);
  }
  switch (contentType) {
    case PatchTypes.merge: {
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw errors.badRequest('a merge patch must be a JSON object');
      }
      return mergePatch(object, patch) as KubeObject;
    }
    case PatchTypes.json: {
      if (!Array.isArray(patch)) throw errors.badRequest('a JSON patch must be an array of operations');
      const validation = jsonPatch.validate(patch as jsonPatch.Operation[], object);
      if (validation) {
        throw errors.unprocessable(`the JSON patch does not apply: ${validation.message.split('\n')[0]}`);
      }
      try {
        return jsonPatch.applyPatch(structuredClone(object), patch as jsonPatch.Operation[], true, false)
          .newDocument;
      } catch (err) {
        throw errors.unprocessable(`the JSON patch does not apply: ${messageOf(err).split('\n')[0]}`);
      }
    }
    case PatchTypes.strategic:
      throw errors.unsupportedMediaType(
        'strategic merge patch is not supported for spdx.softwarecomposition.kubescape.io objects (they have no patch strategies): use a merge patch (kubectl patch --type=merge) or a JSON patch (--type=json)',
      );
    case PatchTypes.apply:
      throw errors.unsupportedMediaType(
        'server-side apply is not supported by the Kubeguard storage: use client-side kubectl apply, or kubectl patch --type=merge',
      );
    default:
      throw errors.unsupportedMediaType(
        `the body of a PATCH must be ${PatchTypes.merge} or ${PatchTypes.json}, not "${contentType}"`,
      );
  }
}
