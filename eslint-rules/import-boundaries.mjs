import path from 'node:path';

/**
 * Who may import whom, by folder: each zone names the files it covers (`from`, a folder; `*`
 * stands for one folder name, e.g. one subgraph) and the folders they may import (`allow`,
 * where `*` is the same name `from` matched). Relative imports are resolved against the
 * importing file, so `../../assets/x` is caught however deep the file sits; packages and
 * `node:` modules are always allowed. A file that no zone covers is not checked.
 */
function zoneOf(zones, file) {
  for (const zone of zones) {
    const pattern = new RegExp(`^${zone.from.replace(/\*/g, '([^/]+)')}`);
    const match = pattern.exec(file);
    if (match) {
      const name = match[1];
      const allow = zone.allow.map((folder) => folder.replace('*', name));
      return { ...zone, allow };
    }
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keeps imports inside the boundaries between kernel, gateway and subgraphs',
    },
    schema: [
      {
        type: 'object',
        properties: {
          zones: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { type: 'string' },
                allow: { type: 'array', items: { type: 'string' } },
                why: { type: 'string' },
              },
              required: ['from', 'allow', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['zones'],
        additionalProperties: false,
      },
    ],
    messages: { outside: "'{{target}}' is outside what {{file}} may import: {{why}}." },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const zone = zoneOf(context.options[0].zones, file);
    if (!zone) return {};

    function check(node) {
      const source = node && node.type === 'Literal' ? node.value : null;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path
        .relative(root, path.resolve(path.dirname(context.filename), source))
        .split(path.sep)
        .join('/');
      if (zone.allow.some((folder) => `${target}/`.startsWith(folder))) return;
      context.report({ node, messageId: 'outside', data: { target, file, why: zone.why } });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportEqualsDeclaration: (node) => check(node.moduleReference.expression),
    };
  },
};
