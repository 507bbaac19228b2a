import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import { writeFileAtomic } from '../../io/atomic-write';
import { meanMetrics, type ImageMetrics } from '../../metrics/evaluate-textures';
import { UNet } from '../../nn/unet';
import { projectionPriors, readsProjection } from '../../run/generator-input';
import { loadPreparedItems, readPreparePlan, readUvCharts } from '../../prepare/prepared-set';
import { checkApart } from '../../train/run-folder';
import { loadImageStore } from '../../train/identity/image-store';
import { evaluateGenerator, generatorSource, loadTruthTextures, meanColourSource, projectSource, writeSampleSheet } from '../../train/texture/generator-eval';
import { note, printJson, printLine } from '../output';
import { progressBar } from '../progress-bar';
import type { CliServices } from '../services';
import { findPreparedFolder } from './prepare';
import { evaluationNetworks, generatorPriors } from './train';
import { identityRunConfig } from './train-identity';

export interface EvalGeneratorOptions {
  readonly category: string;
  readonly data: string;
  readonly model?: string;
  readonly prepared?: string;
  readonly out?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** The figures of the table, in order, with their headers. */
const COLUMNS: ReadonlyArray<[keyof ImageMetrics, string]> = [
  ['ssim', 'SSIM'],
  ['mask_ssim', 'mask-SSIM'],
  ['cossim', 'CosSim'],
  ['cossim_r', 'CosSim-R'],
  ['texture_all', 'tex err all'],
  ['texture_visible', 'visible'],
  ['texture_unseen', 'never seen'],
];

/** A plain table of rows of figures, each column as wide as its widest cell. */
export function formatMetricTable(rows: ReadonlyArray<[string, Readonly<Record<string, number>>]>): string[] {
  const cols = COLUMNS.filter(([k]) => rows.some(([, m]) => typeof m[k] === 'number'));
  const cells = [['', ...cols.map(([, h]) => h)], ...rows.map(([name, m]) => [name, ...cols.map(([k]) => (typeof m[k] === 'number' ? m[k].toFixed(3) : '-'))])];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

/** The folder of the category's shipped generator. @throws saying how to make it when it is missing. */
export function shippedGeneratorFolder(services: CliServices, category: string): string {
  const shipped = services.shippedGenerator(category);
  if (shipped == null) throw new Error(`the '${category}' plugin ships no texture generator: pass --model DIR (a folder retex train wrote)`);
  if (!fs.existsSync(path.join(shipped.weights, 'weights.json'))) {
    throw new Error(`the shipped ${category} generator is missing from ${shipped.weights}: it is made by ${shipped.reproduce}; or pass --model DIR`);
  }
  return shipped.weights;
}

/**
 * Scores a trained generator on every prepared image of a data folder (SSIM, mask-SSIM, CosSim,
 * CosSim-R, texture errors where the truth is known) beside the mean-colour baseline and, where the
 * plugin can fill unseen texels, the project method.
 */
export async function runEvalGenerator(services: CliServices, o: EvalGeneratorOptions): Promise<Record<string, unknown>> {
  const data = path.resolve(o.data);
  const base = await identityRunConfig(services, o);
  const preparedDir = findPreparedFolder(data, base.meshPredictor.type, o.prepared);
  const plan = readPreparePlan(preparedDir);
  if (path.resolve(plan.data) !== data) throw new Error(`${preparedDir} was prepared from ${plan.data}, not from --data ${data}`);
  const config = await identityRunConfig(services, o, {
    image: { height: plan.image[0], width: plan.image[1] },
    texture: { height: plan.texture[0], width: plan.texture[1] },
  });
  if (o.out != null) checkApart(o.out, data, '--out and --data');
  note(describeBackend(await initBackend(config.backend)));
  const model = path.resolve(o.model ?? shippedGeneratorFolder(services, config.category));
  const generator = await UNet.load(model);
  const { networks, owned } = await evaluationNetworks(services, config);
  try {
    const imageSize = readsProjection(generator) ? plan.image : generator.inputSize;
    if (imageSize.join() !== plan.image.join() || generator.textureSize.join() !== plan.texture.join()) {
      throw new Error(
        `the generator in ${model} maps ${imageSize.join('x')} images to ${generator.textureSize.join('x')} textures, ` +
          `but ${preparedDir} holds ${plan.image.join('x')} images and ${plan.texture.join('x')} textures: prepare with --image/--texture to match`,
      );
    }
    const items = await loadPreparedItems(preparedDir, plan, plan.splits);
    if (items.length === 0) throw new Error(`${preparedDir} holds no prepared image`);
    const dataset = await services.loadRole(config, 'dataset');
    const tty = o.progress ?? process.stderr.isTTY === true;
    const bar = progressBar(tty, 'evaluating [{bar}] {value}/{total} images | ETA {eta_formatted}');
    const store = await loadImageStore(dataset, items.map((i) => dataset.samples(i.split)[i.index]), plan.image);
    const truth = await loadTruthTextures(items, plan.data, plan.texture);
    const charts = await readUvCharts(preparedDir);
    const priors = await generatorPriors(services, config, generator, preparedDir, charts);
    // The project method is the second baseline where the plugin can fill unseen texels.
    const symmetry = services.textureSymmetry(config.category);
    const projection = priors ?? (symmetry != null && charts != null ? await projectionPriors(symmetry, config, charts, plan.texture) : null);
    const common = { items, pixels: store.pixels, size: plan.image, truth, charts, networks };
    const sources = projection != null ? 3 : 2;
    bar?.start(sources * items.length, 0);
    const rows = await evaluateGenerator({ ...common, textures: generatorSource(generator, priors), onProgress: (d) => bar?.update(d) });
    const baseline = await evaluateGenerator({ ...common, textures: meanColourSource(plan.texture), onProgress: (d) => bar?.update(items.length + d) });
    const projected =
      projection != null ? await evaluateGenerator({ ...common, textures: projectSource(projection, plan.texture), onProgress: (d) => bar?.update(2 * items.length + d) }) : null;
    bar?.stop();
    const summary = {
      model,
      prepared: preparedDir,
      images: items.length,
      generator: meanMetrics(rows),
      mean_colour_baseline: meanMetrics(baseline),
      ...(projected != null && { project_baseline: meanMetrics(projected) }),
    };
    if (o.out != null) {
      const out = path.resolve(o.out);
      await writeFileAtomic(path.join(out, 'metrics.json'), `${JSON.stringify({ ...summary, per_image: rows, per_image_baseline: baseline }, null, 1)}\n`);
      const shown = Array.from({ length: Math.min(8, items.length) }, (_, k) => Math.floor((k * items.length) / Math.min(8, items.length)));
      await writeSampleSheet(path.join(out, 'samples.png'), {
        textures: generatorSource(generator, priors),
        items: shown.map((i) => items[i]),
        pixels: shown.map((i) => store.pixels[i]),
        size: plan.image,
        truth: shown.map((i) => truth[i]),
      });
    }
    if (o.json) printJson(summary);
    else {
      printLine(`${items.length} images of ${data} (${plan.splits.join(', ')}), generator ${model}`);
      formatMetricTable([
        ['generator', summary.generator],
        ['mean colour', summary.mean_colour_baseline],
        ...(summary.project_baseline != null ? [['project', summary.project_baseline] as [string, Record<string, number>]] : []),
      ]).forEach((l) => printLine(l));
    }
    return summary;
  } finally {
    generator.dispose();
    owned.forEach((n) => n.dispose());
  }
}

export function evalGeneratorCommand(services: CliServices): Command {
  return new Command('eval-generator')
    .description('score a trained texture generator on a prepared data folder (SSIM, mask-SSIM, CosSim, CosSim-R, texture errors) beside the mean-colour and project baselines')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder (prepared with retex prepare)')
    .option('-m, --model <dir>', "the model folder retex train wrote (<run>/model); default: the category's shipped generator")
    .option('--prepared <dir>', "prepared folder (default <data>/retex-prepared/<the config's mesh predictor>)")
    .option('-o, --out <dir>', 'also write metrics.json (per image) and samples.png here')
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the figures as JSON')
    .action(async (options: EvalGeneratorOptions) => {
      await runEvalGenerator(services, options);
    });
}
