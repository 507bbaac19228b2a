import * as fs from 'fs';
import type { CropWindow } from '../../../core/photo/crop-window';
import type { PhotoHints } from '../../../core/plugin/photo-subject';
import { keypointsToCrop } from '../cub/crop';
import { CUB_KEYPOINT_COUNT, CUB_KEYPOINT_NAMES } from '../keypoints';
import { MIN_FIT_POINTS } from '../camera/camera-fit';
import { IMAGE_HEADINGS, type ImageHeading } from './heading';

/** A keypoint file's parts in photo pixels. */
export interface PhotoKeypoints {
  /** float64 [15*2] photo pixels, CUB's part order; 0 where not visible. */
  readonly points: Float64Array;
  /** [15] 1 = visible. */
  readonly visible: Uint8Array;
}

/**
 * Reads one image's part locations in CUB-200-2011's `parts/part_locs.txt` format: one line per part,
 * `<part_id> <x> <y> <visible>` or, as CUB writes them, `<image_id> <part_id> <x> <y> <visible>` (all
 * lines of one image), with part ids 1..15 in CUB's order (1 back, 2 beak, ... 14 tail, 15 throat) and
 * x, y in pixels of the photo. Blank lines and lines starting with `#` are skipped; a part that is not
 * listed counts as not visible.
 * @throws naming the file and line of the first problem, and what was expected there
 */
export function readPartLocations(file: string): PhotoKeypoints {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `keypoint file ${file} does not exist: check the path`
        : `cannot read keypoint file ${file}: ${(err as Error).message}`,
    );
  }
  const layouts: Record<number, string> = { 4: '<part_id> <x> <y> <visible>', 5: '<image_id> <part_id> <x> <y> <visible>' };
  const expected = `'${layouts[4]}' or CUB's '${layouts[5]}'`;
  const points = new Float64Array(2 * CUB_KEYPOINT_COUNT);
  const visible = new Uint8Array(CUB_KEYPOINT_COUNT);
  const seen = new Map<number, number>();
  let columns = 0;
  let imageId: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const at = `${file}:${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    if (fields.length !== 4 && fields.length !== 5) {
      throw new Error(`${at}: expected ${expected}, got ${fields.length} field${fields.length === 1 ? '' : 's'}: '${clip(line)}'`);
    }
    if (columns !== 0 && fields.length !== columns) {
      throw new Error(`${at}: expected ${columns} fields like the lines before ('${layouts[columns]}'), got ${fields.length}: '${clip(line)}'`);
    }
    columns = fields.length;
    if (columns === 5) {
      if (!/^\d+$/.test(fields[0])) throw new Error(`${at}: image id '${fields[0]}' is not a whole number (expected '${layouts[5]}')`);
      if (imageId !== null && fields[0] !== imageId) {
        throw new Error(`${at}: image id ${fields[0]} differs from ${imageId} on the lines before: the file must hold the parts of one photo`);
      }
      imageId = fields[0];
    }
    const [partField, xField, yField, visField] = fields.slice(columns - 4);
    const part = Number(partField);
    if (!/^\d+$/.test(partField) || part < 1 || part > CUB_KEYPOINT_COUNT) {
      throw new Error(`${at}: part id '${partField}' must be a whole number in 1..${CUB_KEYPOINT_COUNT} (CUB's parts: ${CUB_KEYPOINT_NAMES.map((n, k) => `${k + 1} ${n}`).join(', ')})`);
    }
    if (seen.has(part)) throw new Error(`${at}: part ${part} (${CUB_KEYPOINT_NAMES[part - 1]}) is listed twice (first on line ${seen.get(part)})`);
    seen.set(part, i + 1);
    const x = Number(xField);
    const y = Number(yField);
    for (const [name, value, field] of [['x', x, xField], ['y', y, yField]] as const) {
      if (field === '' || !Number.isFinite(value)) throw new Error(`${at}: ${name} '${field}' of part ${part} is not a number (pixels of the photo)`);
    }
    if (visField !== '0' && visField !== '1') throw new Error(`${at}: visible '${visField}' of part ${part} must be 0 or 1`);
    if (visField === '1') {
      points[2 * (part - 1)] = x;
      points[2 * (part - 1) + 1] = y;
      visible[part - 1] = 1;
    }
  });
  const count = visible.reduce((a, b) => a + b, 0);
  if (count < MIN_FIT_POINTS) {
    throw new Error(
      `keypoint file ${file} has ${count} visible part${count === 1 ? '' : 's'}: placing the bird needs at least ${MIN_FIT_POINTS} ` +
        `(lines '${layouts[4]}' with visible 1)`,
    );
  }
  return { points, visible };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The `photo` predictor's annotations from what the user said about a bird photo (`retex run`'s hints),
 * in the terms of the crop the predictor sees:
 * - `heading` (`left` or `right`: which way the beak points in the photo) passes through as `heading`;
 * - `keypointsFile` (CUB part locations of the photo, see {@link readPartLocations}) becomes `keypoints`
 *   [15*2] (the crop's normalised coordinates, -1..1) and `visible` [15], CUB's part order.
 * @param window the crop window in photo pixels
 * @param size the crop's [height, width] (normalised coordinates do not depend on it; checked only)
 * @throws naming the hint and what is wrong with it
 */
export async function birdPhotoAnnotations(hints: PhotoHints, window: CropWindow, size: readonly [number, number]): Promise<Record<string, unknown>> {
  if (!(size.length === 2 && size.every((s) => Number.isInteger(s) && s > 0))) {
    throw new Error(`crop size must be [height, width] in whole pixels, got ${JSON.stringify(size)}`);
  }
  if (!(window.width > 0 && window.height > 0)) throw new Error(`crop window ${JSON.stringify(window)} has no area`);
  const out: Record<string, unknown> = {};
  if (hints.heading !== undefined) {
    const heading = String(hints.heading).trim().toLowerCase();
    if (!IMAGE_HEADINGS.includes(heading as ImageHeading)) {
      throw new Error(`heading '${hints.heading}' is not one a bird can have: use one of ${IMAGE_HEADINGS.join(', ')} (which way the beak points in the photo)`);
    }
    out.heading = heading;
  }
  if (hints.keypointsFile !== undefined) {
    const parts = readPartLocations(hints.keypointsFile);
    const crop = keypointsToCrop(parts.points, parts.visible, window, false);
    out.keypoints = Array.from(crop.keypoints);
    out.visible = Array.from(crop.visible);
  }
  return out;
}
