// @ts-check
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** `log.warn(…)`, `this.log.info(…)`, `ctx.log.error(…)`: a pino call, named by its object. */
function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LEVELS.has(property.name)) return false;
  const name =
    object.type === 'Identifier'
      ? object.name
      : object.type === 'MemberExpression' && object.property.type === 'Identifier'
        ? object.property.name
        : '';
  return name === 'log' || name === 'logger';
}

/**
 * Mutation testing skips what the core writes to its log: the words of a log line are not
 * behaviour a unit test can observe, and what must never reach a log (secrets) is held by the
 * integration tests that read the real processes' logs.
 */
export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-calls', {
    shouldIgnore(path) {
      const node = path.node;
      const call = node.type === 'ExpressionStatement' ? node.expression : node;
      return isLogCall(call) ? 'A log line: not behaviour under unit test.' : undefined;
    },
  }),
];
