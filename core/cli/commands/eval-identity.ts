import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../../backend/backend';
import { ReidNetwork } from '../../nn/reid-network';
import { checkWeightsFolder } from '../../nn/reid-network-implementation';
import { evaluateIdentityNetwork, type IdentityEvaluation } from '../../train/identity/identity-eval';
import { IDENTITIES_FILE } from '../../train/identity/identity-trainer';
import { note, printJson, printLine } from '../output';
import type { CliServices } from '../services';
import { formatIdentityEvaluation, identityRunConfig, pickRecipe } from './train-identity';

export interface EvalIdentityOptions {
  readonly category: string;
  readonly data: string;
  readonly model?: string;
  readonly arch?: string;
  readonly config?: string;
  readonly backend?: string;
  readonly json?: boolean;
}

/** Evaluates a re-ID network (a folder, or the category's shipped one) on a data folder's test data. */
export async function runEvalIdentity(services: CliServices, o: EvalIdentityOptions): Promise<IdentityEvaluation & { model: string }> {
  const config = await identityRunConfig(services, o);
  let dir = o.model;
  if (dir == null) {
    const [arch, recipe] = pickRecipe(services, config, o.arch);
    if (recipe.weights == null) throw new Error(`the category '${config.category}' ships no '${arch}' weights: pass --model DIR`);
    checkWeightsFolder(recipe.weights, `they are made by: ${recipe.reproduce ?? `retex train-identity --arch ${arch}`}; or pass --model DIR`);
    dir = recipe.weights;
  }
  dir = path.resolve(dir);
  note(describeBackend(await initBackend(config.backend)));
  const dataset = await services.loadRole(config, 'dataset');
  const net = await ReidNetwork.load(dir);
  try {
    const labelsFile = path.join(dir, IDENTITIES_FILE);
    // Top-1 classification only means something on the classes the network was trained on.
    const trained = fs.existsSync(labelsFile) ? (JSON.parse(fs.readFileSync(labelsFile, 'utf8')) as { labels?: number[]; data?: string }) : {};
    const sameData = trained.data != null && path.resolve(trained.data) === path.resolve(o.data);
    const labels = sameData ? trained.labels : undefined;
    const evaluation = await evaluateIdentityNetwork(net, dataset, labels);
    const result = { model: dir, ...evaluation };
    if (o.json) printJson(result);
    else printLine(`${dir}\n${formatIdentityEvaluation(evaluation)}`);
    return result;
  } finally {
    net.dispose();
  }
}

export function evalIdentityCommand(services: CliServices): Command {
  return new Command('eval-identity')
    .description('evaluate a re-ID network: Market-1501 protocol for people (rank-1, mAP), test-split retrieval and top-1 for birds')
    .requiredOption('-c, --category <name>', 'category (human, bird)')
    .requiredOption('-d, --data <dir>', 'data folder in the category layout')
    .option('-m, --model <dir>', 'weights folder (default: the shipped network of --arch)')
    .option('--arch <id>', "with no --model: 'pcb' or 'resnet' (default: the config's identityNetwork.type)")
    .option('--config <file>', 'config file')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu')
    .option('--json', 'print the figures as JSON')
    .action(async (options: EvalIdentityOptions) => {
      await runEvalIdentity(services, options);
    });
}
