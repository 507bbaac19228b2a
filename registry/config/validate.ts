import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../core/plugin';

/** A config that failed validation; `message` lists every problem with its JSON path. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[], where: string) {
    super(`invalid config (${where}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function describe(error: ErrorObject, root: unknown, prefix: string): string {
  const at = `${prefix}${error.instancePath}` || '/';
  const shown = JSON.stringify(valueAt(root, error.instancePath));
  switch (error.keyword) {
    case 'enum':
      return `${at} = ${shown}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      return `${at}: unknown key '${error.params.additionalProperty}'; allowed keys: ${allowed.join(', ')}`;
    }
    case 'required':
      return `${at}: missing key '${error.params.missingProperty}'`;
    default:
      return `${at} = ${shown}: ${error.message}`;
  }
}

/**
 * Validates `value` against `schema`.
 * @param where names the source in the error (e.g. the config file).
 * @param prefix JSON path of `value` inside the whole config, for nested sections.
 * @throws ConfigError listing every problem.
 */
export function validateSchema(schema: JsonSchema, value: unknown, where: string, prefix = ''): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return;
  const problems = (validate.errors ?? []).map((e) => describe(e, value, prefix));
  throw new ConfigError([...new Set(problems)], where);
}
