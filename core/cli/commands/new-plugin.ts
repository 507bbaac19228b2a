import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../../paths';
import { pluginConfigTemplate, pluginConstantName, pluginIndexTemplate, pluginSpecTemplate } from '../../scaffold/plugin-templates';
import { note, printJson, printLine } from '../output';
import type { CliServices } from '../services';

/** Plugin ids and category names: lower-case kebab-case, a letter first (they name folders and files). */
export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The registry's plugin list, relative to the repository root. */
export const PLUGIN_LIST_FILE = path.join('registry', 'plugins.ts');

export interface NewPluginOptions {
  readonly id: string;
  readonly category: string;
  /** The retex source tree to write into (default: the one this retex was built from). */
  readonly root?: string;
  readonly json?: boolean;
}

/** What `retex new-plugin` wrote, relative to the root. */
export interface NewPluginResult {
  readonly root: string;
  readonly id: string;
  readonly category: string;
  readonly constant: string;
  readonly files: readonly string[];
  /** Roles the author still has to write (reported as not provided until then). */
  readonly todo: readonly string[];
}

/** The plugin list with the new plugin's import and entry added, or an error saying what is not recognised. */
export function addToPluginList(source: string, id: string, constant: string): string {
  const list = /(export const ALL_PLUGINS\s*:\s*readonly CategoryPlugin\[\]\s*=\s*\[)([^\]]*)(\];)/.exec(source);
  if (list == null) {
    throw new Error(`cannot find "export const ALL_PLUGINS: readonly CategoryPlugin[] = [...];" in ${PLUGIN_LIST_FILE}: add the plugin there by hand`);
  }
  const imports = [...source.matchAll(/^import .*;\s*$/gm)];
  if (imports.length === 0) throw new Error(`${PLUGIN_LIST_FILE} has no import lines to add the plugin's beside`);
  if (new RegExp(`\\b${constant}\\b`).test(source)) throw new Error(`${PLUGIN_LIST_FILE} already mentions ${constant}`);
  const entries = list[2].trim().replace(/,\s*$/, '');
  const multiline = list[2].includes('\n');
  const indent = multiline ? (/\n([ \t]*)\S/.exec(list[2])?.[1] ?? '  ') : '';
  const newEntries = multiline
    ? `${list[2].replace(/,?\s*$/, '')},\n${indent}${constant},\n`
    : `${entries}${entries ? ', ' : ''}${constant}`;
  let out = source.slice(0, list.index) + list[1] + newEntries + list[3] + source.slice(list.index + list[0].length);
  const last = imports[imports.length - 1];
  const at = (last.index ?? 0) + last[0].trimEnd().length;
  out = `${out.slice(0, at)}\nimport { ${constant} } from '../plugins/${id}';${out.slice(at)}`;
  return out;
}

/** Writes `files` (relative path -> content) under `root` all or nothing: temp files first, then renames. */
function writeAtomically(root: string, files: ReadonlyArray<readonly [string, string]>, newFolders: readonly string[]): void {
  const tag = `.retex-new-plugin-${process.pid}-${Date.now()}`;
  const staged: Array<[string, string]> = [];
  const createdFolders: string[] = [];
  const renamed: string[] = [];
  const backups: Array<[string, string]> = [];
  try {
    for (const folder of newFolders) {
      const abs = path.join(root, folder);
      // The new folders are built under a temporary name and renamed into place last.
      fs.mkdirSync(`${abs}${tag}`, { recursive: true });
      createdFolders.push(abs);
    }
    const staging = (rel: string) => {
      const folder = newFolders.find((f) => rel.startsWith(`${f}${path.sep}`));
      return folder ? path.join(root, `${folder}${tag}`, path.relative(folder, rel)) : path.join(root, `${rel}${tag}`);
    };
    for (const [rel, content] of files) {
      const tmp = staging(rel);
      fs.mkdirSync(path.dirname(tmp), { recursive: true });
      fs.writeFileSync(tmp, content);
      staged.push([tmp, path.join(root, rel)]);
    }
    for (const abs of createdFolders) {
      fs.renameSync(`${abs}${tag}`, abs);
      renamed.push(abs);
    }
    for (const [tmp, dest] of staged) {
      if (createdFolders.some((f) => dest.startsWith(`${f}${path.sep}`))) continue;
      if (fs.existsSync(dest)) {
        fs.copyFileSync(dest, `${dest}${tag}.bak`);
        backups.push([dest, `${dest}${tag}.bak`]);
      }
      fs.renameSync(tmp, dest);
      renamed.push(dest);
    }
    for (const [, bak] of backups) fs.rmSync(bak, { force: true });
  } catch (err) {
    for (const abs of renamed.reverse()) fs.rmSync(abs, { recursive: true, force: true });
    for (const [dest, bak] of backups) if (fs.existsSync(bak)) fs.renameSync(bak, dest);
    for (const abs of createdFolders) fs.rmSync(`${abs}${tag}`, { recursive: true, force: true });
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * `retex new-plugin <id> --category <name>`: writes plugins/<id>/index.ts (a plugin with no implementations
 * yet and a TODO per role), configs/<category>.json, spec/plugins/<id>/contract.spec.ts (the contract suite)
 * and adds the plugin to the registry's list. Refuses an id or category that exists, and writes all or nothing.
 */
export function runNewPlugin(services: CliServices, o: NewPluginOptions): NewPluginResult {
  const root = path.resolve(o.root ?? packageRoot());
  for (const [what, value] of [['plugin id', o.id], ['category', o.category]] as const) {
    if (!PLUGIN_NAME_PATTERN.test(value)) {
      throw new Error(`invalid ${what} '${value}': use lower-case letters, digits and single hyphens, starting with a letter (e.g. face-mesh)`);
    }
  }
  if (!fs.existsSync(path.join(root, PLUGIN_LIST_FILE))) {
    throw new Error(`${root} is not a retex source tree (no ${PLUGIN_LIST_FILE}): run new-plugin from a clone of retex, or give --root`);
  }
  const known = services.plugins();
  const byId = known.find((p) => p.id === o.id);
  if (byId) throw new Error(`a plugin '${o.id}' exists already (category ${byId.categories.join(', ')}): choose another id`);
  const byCategory = known.find((p) => p.categories.includes(o.category));
  if (byCategory) throw new Error(`category '${o.category}' is served by plugin '${byCategory.id}' already: choose another category`);
  const constant = pluginConstantName(o.id);
  const values = { id: o.id, category: o.category, constant };
  const pluginDir = path.join('plugins', o.id);
  const specDir = path.join('spec', 'plugins', o.id);
  const configFile = path.join('configs', `${o.category}.json`);
  for (const rel of [pluginDir, specDir, configFile]) {
    if (fs.existsSync(path.join(root, rel))) throw new Error(`${path.join(root, rel)} exists already: remove it or choose another ${rel === configFile ? 'category' : 'id'}`);
  }
  const list = addToPluginList(fs.readFileSync(path.join(root, PLUGIN_LIST_FILE), 'utf8'), o.id, constant);
  const files: Array<[string, string]> = [
    [path.join(pluginDir, 'index.ts'), pluginIndexTemplate(values)],
    [configFile, pluginConfigTemplate(values)],
    [path.join(specDir, 'contract.spec.ts'), pluginSpecTemplate(values)],
    [PLUGIN_LIST_FILE, list],
  ];
  writeAtomically(root, files, [pluginDir, specDir]);
  const result: NewPluginResult = {
    root,
    id: o.id,
    category: o.category,
    constant,
    files: files.map(([rel]) => rel),
    todo: ['meshPredictor', 'dataset'],
  };
  if (o.json) printJson(result);
  else {
    for (const rel of result.files) printLine(`${rel === PLUGIN_LIST_FILE ? 'updated' : 'wrote'} ${rel}`);
    printLine(
      `plugin '${o.id}' serves category '${o.category}'; still to write: ${result.todo.join(', ')} (reported as not provided until then). ` +
        `Next: npm run build && npx retex plugins; npm test runs spec/plugins/${o.id}/contract.spec.ts; guide: docs/writing-a-plugin.md`,
    );
  }
  note(`retex new-plugin wrote into ${root}`);
  return result;
}

export function newPluginCommand(services: CliServices): Command {
  return new Command('new-plugin')
    .description('start a category plugin: plugins/<id>/, configs/<category>.json, its contract spec and its registry line')
    .argument('<id>', 'plugin id and folder name (kebab-case, e.g. face-mesh)')
    .requiredOption('-c, --category <name>', 'the category it serves (e.g. face)')
    .option('--root <dir>', 'the retex source tree to write into (default: the one this retex was built from)')
    .option('--json', 'print what was written as JSON')
    .action((id: string, options: Omit<NewPluginOptions, 'id'>) => {
      runNewPlugin(services, { ...options, id });
    });
}
