// Enforces the dependency rules of shared/spec/style.md ("How the pieces fit"): a component (a folder
// directly under src/) may import only the components listed for it, and only through their index.ts.
import path from 'node:path';

/** component -> components it may import. */
export const LAYERS = {
  common: [],
  api: ['common'],
  k8s: ['common', 'api'],
  sbom: ['common'],
  vuln: ['common', 'sbom'],
  posture: ['common', 'api'],
  storage: ['common', 'api'],
  services: ['common', 'api', 'k8s', 'storage', 'sbom', 'vuln', 'posture'],
  devenv: ['common', 'k8s', 'sbom'],
  cli: ['common', 'api', 'k8s', 'storage', 'sbom', 'vuln', 'posture', 'services', 'devenv'],
};

function componentOf(file, srcRoot) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length === 0 ? undefined : { name: first, rest: rest.join('/') };
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'component imports follow the layering of shared/spec/style.md' },
    schema: [],
  },
  create(context) {
    const srcRoot = path.join(context.cwd, 'src');
    const from = componentOf(context.filename, srcRoot);
    if (!from) return {};
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = componentOf(path.resolve(path.dirname(context.filename), spec), srcRoot);
      if (!target || target.name === from.name) return;
      const allowed = LAYERS[from.name];
      if (!allowed) {
        context.report({ node, message: `src/${from.name} is not listed in tools/eslint/layering.js` });
      } else if (!allowed.includes(target.name)) {
        context.report({ node, message: `src/${from.name} may not import src/${target.name}` });
      } else if (target.rest !== 'index.ts') {
        context.report({
          node,
          message: `import src/${target.name} through its index.ts, not ${target.rest}`,
        });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
