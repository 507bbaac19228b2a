import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

/** One synthetic photo of the fixture. */
export interface FixtureImage {
  readonly name: string;
  readonly classId: number;
  readonly train: boolean;
  readonly width: number;
  readonly height: number;
  readonly box: [number, number, number, number];
  /** 15 keypoints [x, y, visible]. */
  readonly parts: [number, number, number][];
}

/**
 * Photos of the fixture: the left half (x < width/2) red, the right half blue; the segmentation mask
 * is white inside the box.
 */
export const FIXTURE_IMAGES: FixtureImage[] = [
  {
    name: '001.Alpha_Bird/Alpha_Bird_0001.jpg',
    classId: 1,
    train: true,
    width: 80,
    height: 60,
    box: [20, 10, 40, 20],
    parts: Array.from({ length: 15 }, (_, i): [number, number, number] =>
      i === 6 ? [30, 15, 1] : i === 10 ? [50, 15, 1] : i === 1 ? [40, 20, 1] : [0, 0, 0],
    ),
  },
  {
    name: '001.Alpha_Bird/Alpha_Bird_0002.jpg',
    classId: 1,
    train: false,
    width: 64,
    height: 64,
    box: [8, 8, 48, 48],
    parts: Array.from({ length: 15 }, (_, i): [number, number, number] => [10 + 2 * i, 20 + i, i % 2]),
  },
  {
    name: '002.Beta_Bird/Beta_Bird_0001.jpg',
    classId: 2,
    train: true,
    width: 48,
    height: 72,
    box: [4, 30, 30, 36],
    parts: Array.from({ length: 15 }, (): [number, number, number] => [20, 40, 1]),
  },
];

async function writeImage(file: string, im: FixtureImage): Promise<void> {
  const rgb = Buffer.alloc(im.width * im.height * 3);
  const mask = Buffer.alloc(im.width * im.height);
  const [bx, by, bw, bh] = im.box;
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) {
      const o = y * im.width + x;
      if (x < im.width / 2) rgb[3 * o] = 255;
      else rgb[3 * o + 2] = 255;
      mask[o] = x >= bx && x < bx + bw && y >= by && y < by + bh ? 255 : 0;
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(rgb, { raw: { width: im.width, height: im.height, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
  const maskFile = file.replace(/images/, 'segmentations').replace(/\.jpg$/, '.png');
  fs.mkdirSync(path.dirname(maskFile), { recursive: true });
  await sharp(mask, { raw: { width: im.width, height: im.height, channels: 1 } }).png().toFile(maskFile);
}

/**
 * Writes a CUB-200-2011-shaped folder (images.txt, image_class_labels.txt, train_test_split.txt,
 * bounding_boxes.txt, parts/part_locs.txt, classes.txt, images/, segmentations/) to a temporary dir.
 * @returns the CUB_200_2011 folder
 */
export async function writeCubFixture(images: FixtureImage[] = FIXTURE_IMAGES): Promise<string> {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'retex-cub-')), 'CUB_200_2011');
  fs.mkdirSync(path.join(root, 'parts'), { recursive: true });
  const lines = (f: (im: FixtureImage, id: number) => string) => images.map((im, i) => f(im, i + 1)).join('\n') + '\n';
  fs.writeFileSync(path.join(root, 'images.txt'), lines((im, id) => `${id} ${im.name}`));
  fs.writeFileSync(path.join(root, 'image_class_labels.txt'), lines((im, id) => `${id} ${im.classId}`));
  fs.writeFileSync(path.join(root, 'train_test_split.txt'), lines((im, id) => `${id} ${im.train ? 1 : 0}`));
  fs.writeFileSync(path.join(root, 'bounding_boxes.txt'), lines((im, id) => `${id} ${im.box.map((v) => v.toFixed(1)).join(' ')}`));
  fs.writeFileSync(
    path.join(root, 'parts', 'part_locs.txt'),
    lines((im, id) => im.parts.map(([x, y, v], p) => `${id} ${p + 1} ${x.toFixed(1)} ${y.toFixed(1)} ${v}`).join('\n')),
  );
  fs.writeFileSync(path.join(root, 'classes.txt'), '1 001.Alpha_Bird\n2 002.Beta_Bird\n');
  for (const im of images) await writeImage(path.join(root, 'images', im.name), im);
  return root;
}

/** Removes a fixture made by writeCubFixture. */
export function removeCubFixture(root: string): void {
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
}
