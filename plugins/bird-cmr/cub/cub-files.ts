import * as fs from 'fs';
import * as path from 'path';
import { describeFsError, resolveInside } from '../../../core/io/file-guard';
import { CUB_KEYPOINT_COUNT } from '../keypoints';

/** A problem with the CUB-200-2011 files, naming the file (and line) and what to do. */
export class CubFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CubFormatError';
  }
}

/** One image's annotations as the CUB files give them (original image pixels). */
export interface CubRecord {
  /** 1-based image id (images.txt). */
  readonly imageId: number;
  /** Path relative to `images/`, e.g. `001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg`. */
  readonly name: string;
  /** 1-based class id (image_class_labels.txt). */
  readonly classId: number;
  readonly isTraining: boolean;
  /** [x, y, width, height] in pixels of the original image. */
  readonly box: readonly [number, number, number, number];
  /** float64 [15*2] pixel coordinates in the original image, CUB's part order; 0 where not visible. */
  readonly keypoints: Float64Array;
  /** [15] 1 = visible, 0 = not. */
  readonly visible: Uint8Array;
}

/** Reads a text file of the data set, failing with what is missing and where the data set should be. */
function readText(root: string, relative: string): string {
  const file = path.join(root, relative);
  // An annotation file that is a symlink out of the data set is refused like a path that leads out.
  if (fs.existsSync(file)) resolveInside(root, relative, 'CUB-200-2011 annotation file');
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CubFormatError(
        `CUB-200-2011 file ${file} is missing: set dataset.root to the CUB_200_2011 folder ` +
          `(the one holding images.txt, image_class_labels.txt, train_test_split.txt, bounding_boxes.txt and parts/)`,
      );
    }
    throw new CubFormatError(describeFsError(err, file, 'read CUB-200-2011 file').message);
  }
}

/**
 * Splits a whitespace-separated table into rows of exactly `columns` fields, with `file:line`
 * errors. `layout` describes the expected line for the message.
 */
function parseRows(text: string, file: string, columns: number, layout: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/\s+/);
    if (fields.length !== columns) {
      throw new CubFormatError(`${file}:${i + 1}: expected '${layout}' (${columns} fields), got ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    }
    rows.push({ line: i + 1, fields });
  });
  return rows;
}

/** A field for a message: short plain tokens as they are, anything else described, never quoted at length. */
function token(s: string): string {
  return /^[\w.+-]{1,24}$/.test(s) ? `'${s}'` : `a value of ${s.length} characters`;
}

function parseNumber(value: string, file: string, line: number, what: string, integer: boolean): number {
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
  if (value === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new CubFormatError(`${file}:${line}: ${what} ${token(value)} is not ${integer ? 'an integer' : 'a number'}`);
  }
  return n;
}

/** Maps image id -> row, rejecting duplicates and ids images.txt does not know. */
function byImageId<T>(
  rows: { line: number; fields: string[] }[],
  file: string,
  known: Map<number, unknown>,
  read: (fields: string[], line: number) => T,
): Map<number, T> {
  const out = new Map<number, T>();
  for (const { line, fields } of rows) {
    const id = parseNumber(fields[0], file, line, 'image id', true);
    if (!known.has(id)) throw new CubFormatError(`${file}:${line}: image id ${id} is not listed in images.txt`);
    if (out.has(id)) throw new CubFormatError(`${file}:${line}: image id ${id} appears twice`);
    out.set(id, read(fields, line));
  }
  return out;
}

/**
 * Reads and cross-checks the annotation files of a CUB-200-2011 folder: images.txt,
 * image_class_labels.txt, train_test_split.txt, bounding_boxes.txt and parts/part_locs.txt
 * (classes.txt is optional and gives species names).
 * @throws CubFormatError naming the file and line of the first problem
 */
export function readCubRecords(root: string): { records: CubRecord[]; classNames: Map<number, string> } {
  const images = new Map<number, string>();
  for (const { line, fields } of parseRows(readText(root, 'images.txt'), 'images.txt', 2, '<image_id> <image_name>')) {
    const id = parseNumber(fields[0], 'images.txt', line, 'image id', true);
    if (images.has(id)) throw new CubFormatError(`images.txt:${line}: image id ${id} appears twice`);
    images.set(id, fields[1]);
  }
  if (images.size === 0) throw new CubFormatError(`images.txt in ${root} lists no images`);

  const labels = byImageId(
    parseRows(readText(root, 'image_class_labels.txt'), 'image_class_labels.txt', 2, '<image_id> <class_id>'),
    'image_class_labels.txt',
    images,
    (f, line) => {
      const c = parseNumber(f[1], 'image_class_labels.txt', line, 'class id', true);
      if (c < 1) throw new CubFormatError(`image_class_labels.txt:${line}: class id ${c} must be 1 or more`);
      return c;
    },
  );
  const split = byImageId(
    parseRows(readText(root, 'train_test_split.txt'), 'train_test_split.txt', 2, '<image_id> <is_training_image>'),
    'train_test_split.txt',
    images,
    (f, line) => {
      if (f[1] !== '0' && f[1] !== '1') {
        throw new CubFormatError(`train_test_split.txt:${line}: is_training_image must be 0 or 1, got ${token(f[1])}`);
      }
      return f[1] === '1';
    },
  );
  const boxes = byImageId(
    parseRows(readText(root, 'bounding_boxes.txt'), 'bounding_boxes.txt', 5, '<image_id> <x> <y> <width> <height>'),
    'bounding_boxes.txt',
    images,
    (f, line) => {
      const b = f.slice(1).map((v, k) => parseNumber(v, 'bounding_boxes.txt', line, ['x', 'y', 'width', 'height'][k], false));
      if (!(b[2] > 0 && b[3] > 0)) {
        throw new CubFormatError(`bounding_boxes.txt:${line}: box width and height must be positive, got ${b[2]} x ${b[3]}`);
      }
      return b as unknown as [number, number, number, number];
    },
  );

  const partsFile = 'parts/part_locs.txt';
  const parts = new Map<number, { keypoints: Float64Array; visible: Uint8Array; seen: Uint8Array }>();
  for (const { line, fields } of parseRows(readText(root, partsFile), partsFile, 5, '<image_id> <part_id> <x> <y> <visible>')) {
    const id = parseNumber(fields[0], partsFile, line, 'image id', true);
    if (!images.has(id)) throw new CubFormatError(`${partsFile}:${line}: image id ${id} is not listed in images.txt`);
    const part = parseNumber(fields[1], partsFile, line, 'part id', true);
    if (part < 1 || part > CUB_KEYPOINT_COUNT) {
      throw new CubFormatError(`${partsFile}:${line}: part id ${part} is outside 1..${CUB_KEYPOINT_COUNT}`);
    }
    const x = parseNumber(fields[2], partsFile, line, 'x', false);
    const y = parseNumber(fields[3], partsFile, line, 'y', false);
    if (fields[4] !== '0' && fields[4] !== '1') {
      throw new CubFormatError(`${partsFile}:${line}: visible must be 0 or 1, got ${token(fields[4])}`);
    }
    let entry = parts.get(id);
    if (!entry) {
      entry = { keypoints: new Float64Array(2 * CUB_KEYPOINT_COUNT), visible: new Uint8Array(CUB_KEYPOINT_COUNT), seen: new Uint8Array(CUB_KEYPOINT_COUNT) };
      parts.set(id, entry);
    }
    if (entry.seen[part - 1]) throw new CubFormatError(`${partsFile}:${line}: part ${part} of image ${id} appears twice`);
    entry.seen[part - 1] = 1;
    entry.keypoints[2 * (part - 1)] = x;
    entry.keypoints[2 * (part - 1) + 1] = y;
    entry.visible[part - 1] = fields[4] === '1' ? 1 : 0;
  }

  const classNames = new Map<number, string>();
  const classesPath = path.join(root, 'classes.txt');
  if (fs.existsSync(classesPath)) {
    for (const { line, fields } of parseRows(readText(root, 'classes.txt'), 'classes.txt', 2, '<class_id> <class_name>')) {
      classNames.set(parseNumber(fields[0], 'classes.txt', line, 'class id', true), fields[1]);
    }
  }

  const records: CubRecord[] = [];
  const missing = (file: string, id: number) =>
    new CubFormatError(`${file} has no entry for image ${id} (${images.get(id)}), which images.txt lists`);
  for (const [imageId, name] of images) {
    const classId = labels.get(imageId);
    if (classId === undefined) throw missing('image_class_labels.txt', imageId);
    const isTraining = split.get(imageId);
    if (isTraining === undefined) throw missing('train_test_split.txt', imageId);
    const box = boxes.get(imageId);
    if (!box) throw missing('bounding_boxes.txt', imageId);
    const p = parts.get(imageId);
    if (!p) throw missing(partsFile, imageId);
    const absent = p.seen.indexOf(0);
    if (absent >= 0) throw new CubFormatError(`${partsFile} has no part ${absent + 1} for image ${imageId} (${name})`);
    records.push({ imageId, name, classId, isTraining, box, keypoints: p.keypoints, visible: p.visible });
  }
  return { records, classNames };
}
