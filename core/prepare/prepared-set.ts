import * as fs from 'fs';
import * as path from 'path';
import type { TextureSampling } from '../interfaces/renderer';
import { readPixels } from '../io/image-decode';
import { readRenderOperators } from '../renderer/operator-file';
import type { SparseRenderOperator } from '../renderer/render-operator';

/** What decides a prepared set's content (stored as `prepare-plan.json`; a rerun must match it). */
export interface PreparePlan {
  readonly version: 1;
  readonly category: string;
  /** The data folder (absolute). */
  readonly data: string;
  /** The data set implementation (config `dataset.type`). */
  readonly dataset: string;
  /** The mesh predictor section of the config (`type` and options). */
  readonly meshPredictor: Readonly<Record<string, unknown>>;
  /** Image size [H, W] the operators render to. */
  readonly image: readonly [number, number];
  /** Texture size [Th, Tw] the operators read. */
  readonly texture: readonly [number, number];
  readonly sampling: TextureSampling;
  /** The data set's splits prepared. */
  readonly splits: readonly string[];
}

/** One image's outcome (one line of `results.jsonl`). */
export interface PreparedItem {
  readonly split: string;
  /** Index of the sample within its split. */
  readonly index: number;
  readonly id: string;
  readonly identity: number;
  /** The image file, relative to the data folder. */
  readonly image: string;
  /** Operator file relative to the prepared folder; absent when the image failed. */
  readonly operator?: string;
  /** The camera the predictor found (plain data). */
  readonly camera?: Readonly<Record<string, unknown>>;
  /** Fraction of the image the mesh covers. */
  readonly coverage?: number;
  /** Ground-truth texture relative to the data folder (synthetic sets). */
  readonly groundTruthTexture?: string;
  /** Why the image failed (no subject found, ...). */
  readonly error?: string;
}

export const PREPARE_PLAN_FILE = 'prepare-plan.json';
export const PREPARE_RESULTS_FILE = 'results.jsonl';
export const PREPARE_SUMMARY_FILE = 'prepared.json';
export const UV_CHARTS_FILE = 'uv-charts.png';
export const OPERATORS_FOLDER = 'operators';

/** The key of an item: split and index. */
export function itemKey(item: Pick<PreparedItem, 'split' | 'index'>): string {
  return `${item.split}/${item.index}`;
}

/**
 * The finished items of a prepared folder, last line per image winning; a torn last line (a killed run)
 * is dropped.
 */
export function readPreparedItems(dir: string): PreparedItem[] {
  const file = path.join(dir, PREPARE_RESULTS_FILE);
  if (!fs.existsSync(file)) return [];
  const byKey = new Map<string, PreparedItem>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let item: PreparedItem;
    try {
      item = JSON.parse(line) as PreparedItem;
    } catch {
      continue;
    }
    if (typeof item.split !== 'string' || !Number.isInteger(item.index)) continue;
    byKey.set(itemKey(item), item);
  }
  return [...byKey.values()];
}

/** Reads `prepare-plan.json`. @throws naming the folder and the command that makes it when absent. */
export function readPreparePlan(dir: string): PreparePlan {
  const file = path.join(dir, PREPARE_PLAN_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`${dir} is not a prepared folder (no ${PREPARE_PLAN_FILE}): run retex prepare --category C --data DIR first`);
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PreparePlan;
  } catch {
    throw new Error(`${file} is damaged (not JSON): rerun retex prepare into a new folder`);
  }
}

/** A prepared image with its operator loaded. */
export interface LoadedItem extends PreparedItem {
  readonly renderOperator: SparseRenderOperator;
}

/**
 * The prepared images of some splits with their operators (failed images left out).
 * @throws naming the operator file when one is damaged or has the wrong shape
 */
export async function loadPreparedItems(dir: string, plan: PreparePlan, splits: readonly string[]): Promise<LoadedItem[]> {
  const items = readPreparedItems(dir)
    .filter((i) => i.operator != null && splits.includes(i.split))
    .sort((a, b) => (a.split === b.split ? a.index - b.index : a.split < b.split ? -1 : 1));
  const out: LoadedItem[] = [];
  for (const item of items) {
    const file = path.join(dir, item.operator as string);
    if (!fs.existsSync(file)) {
      throw new Error(`the render operator of ${item.id} (${file}) is missing: rerun retex prepare with the same options to recreate it`);
    }
    const [op] = await readRenderOperators(file, {
      height: plan.image[0],
      width: plan.image[1],
      textureSize: plan.texture,
      sampling: plan.sampling,
    });
    out.push({ ...item, renderOperator: op });
  }
  return out;
}

/** The UV chart mask `retex prepare` wrote (float32 [Th*Tw] in {0,1}), or null when there is none. */
export async function readUvCharts(dir: string): Promise<Float32Array | null> {
  const file = path.join(dir, UV_CHARTS_FILE);
  if (!fs.existsSync(file)) return null;
  const { pixels, height, width, channels } = await readPixels(file);
  return Float32Array.from({ length: height * width }, (_, i) => (pixels[i * channels] > 127 ? 1 : 0));
}
