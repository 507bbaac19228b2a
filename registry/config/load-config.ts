import * as fs from 'fs';
import * as path from 'path';
import { cosmiconfig } from 'cosmiconfig';
import { ROLES } from '../../core/plugin';
import type { RetexConfig } from '../../core/plugin';
import type { ConfigRequest, LoadedConfig } from '../../core/cli/services';
import { describeFsError } from '../../core/io/file-guard';
import { packageRoot } from '../../core/paths';
import type { PluginRegistry } from '../plugin-registry';
import { CONFIG_SCHEMA } from './schema';
import { ConfigError, validateSchema } from './validate';

/** Files searched for in each folder, nearest first. */
const SEARCH_PLACES = [
  'package.json',
  '.retexrc',
  '.retexrc.json',
  '.retexrc.yaml',
  '.retexrc.yml',
  'retex.config.json',
  'retex.config.yaml',
  'retex.config.yml',
  'retex.config.js',
  'retex.config.cjs',
];

export type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Json, value) : value;
  }
  return out;
}

/**
 * JSON reads `1e400` as Infinity (and YAML has .inf and .nan), which JSON.stringify later prints as null:
 * such numbers are refused with their JSON path before anything else looks at them.
 */
export function checkFiniteNumbers(value: unknown, where: string, at = ''): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ConfigError([`${at || '/'} = ${String(value)}: must be a finite number (${value !== value ? 'not a number' : 'it overflows a 64-bit float'})`], where);
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkFiniteNumbers(v, where, `${at}/${i}`));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkFiniteNumbers(v, where, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

/** The folder of the shipped default configs, one `<category>.json` each. */
export function defaultConfigDir(): string {
  return path.join(packageRoot(), 'configs');
}

async function readUserConfig(request: ConfigRequest): Promise<{ config: Json; file: string } | null> {
  // Search upwards to the project root (the folder with package.json), as users expect from .xxxrc files.
  const explorer = cosmiconfig('retex', { searchPlaces: SEARCH_PLACES, searchStrategy: 'project' });
  try {
    const result = request.configPath
      ? await explorer.load(path.resolve(request.cwd ?? process.cwd(), request.configPath))
      : await explorer.search(request.cwd ?? process.cwd());
    if (!result || result.isEmpty) return null;
    if (!isObject(result.config)) throw new ConfigError(['the file must hold an object'], result.filepath);
    return { config: result.config, file: result.filepath };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const where = request.configPath ?? 'retex config';
    const e = err as NodeJS.ErrnoException;
    if (e.code) throw describeFsError(err, where, 'read the config');
    // Parser messages quote the file (code frames): report only where the problem is.
    const msg = String(e?.message ?? err);
    const line = /line (\d+)/i.exec(msg)?.[1] ?? /:(\d+):\d+/.exec(msg)?.[1];
    const file = /in file:? ?(\S+)/i.exec(msg)?.[1]?.replace(/:$/, '');
    throw new ConfigError(
      [`cannot read ${file ?? where}: it is not valid ${/\.ya?ml$|rc$/i.test(file ?? where) ? 'JSON or YAML' : /\.c?js$/i.test(file ?? where) ? 'JavaScript' : 'JSON'}${line ? ` (near line ${line})` : ''}: fix its syntax`],
      file ?? where,
    );
  }
}

/**
 * Loads configs/<category>.json, merges the user's retex config over it (its top-level keys, then the
 * section named after the category, e.g. `"bird": {...}`), then the overrides; validates the result against
 * the core schema, the plugin's schema and each role implementation's schema.
 * @throws ConfigError quoting JSON paths, bad values and what is allowed.
 */
export async function loadConfig(
  registry: PluginRegistry,
  request: ConfigRequest = {},
  defaultsDir: string = defaultConfigDir(),
): Promise<LoadedConfig> {
  const user = await readUserConfig(request);
  const category = request.category ?? (user?.config.category as string | undefined);
  if (!category) {
    throw new Error(`no category given: pass --category (${registry.categories.join(' or ')}) or set "category" in your retex config`);
  }
  const plugin = registry.forCategory(category);
  const base = path.join(defaultsDir, `${category}.json`);
  if (!fs.existsSync(base)) throw new Error(`missing the default config ${base} of category '${category}'`);
  const sources = [base];
  let merged = JSON.parse(fs.readFileSync(base, 'utf8')) as Json;
  if (user) {
    checkFiniteNumbers(user.config, user.file);
    for (const c of registry.categories) {
      const section = user.config[c];
      if (section !== undefined && !isObject(section)) {
        throw new ConfigError([`/${c} = ${JSON.stringify(section)}: must be an object of settings for category '${c}' (e.g. {"train": {...}})`], user.file);
      }
    }
    const { [category]: perCategory, ...shared } = user.config;
    for (const other of registry.categories) delete shared[other];
    merged = deepMerge(merged, shared);
    if (isObject(perCategory)) merged = deepMerge(merged, perCategory);
    sources.push(user.file);
  }
  if (request.overrides) {
    checkFiniteNumbers(request.overrides as Json, 'command-line options');
    merged = deepMerge(merged, request.overrides as Json);
  }
  const where = sources.join(' + ');

  validateSchema(CONFIG_SCHEMA, merged, where);
  if (merged.category !== category) {
    throw new ConfigError([`/category = ${JSON.stringify(merged.category)}: must be '${category}' for this run`], where);
  }
  if (merged.plugin !== plugin.id) {
    throw new ConfigError([`/plugin = ${JSON.stringify(merged.plugin)}: category '${category}' is served by '${plugin.id}'`], where);
  }
  validateSchema(plugin.configSchema, merged.pluginOptions, where, '/pluginOptions');
  for (const role of ROLES) {
    const section = merged[role] as { type: string };
    const entries = registry.implementations(plugin, role);
    const entry = entries.find((e) => e.id === section.type);
    if (!entry) {
      // A role nothing implements yet is reported when it is resolved; a wrong name is a config error now.
      if (entries.length === 0) continue;
      const allowed = entries.map((e) => JSON.stringify(e.id)).join(', ');
      throw new ConfigError([`/${role}/type = ${JSON.stringify(section.type)}: must be one of ${allowed}`], where);
    }
    const { type: _type, ...options } = section;
    validateSchema(entry.implementation.optionsSchema ?? { type: 'object', maxProperties: 0 }, options, where, `/${role}`);
  }
  return { config: merged as unknown as RetexConfig, sources };
}
