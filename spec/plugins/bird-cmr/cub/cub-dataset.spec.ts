import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../../../core/backend/tf';
import { expectNoTensorLeak } from '../../../helpers/tensors';
import { CubDataset, cubAnnotations } from '../../../../plugins/bird-cmr/cub/cub-dataset';
import { paddedCropWindow } from '../../../../core/photo/crop-window';
import { removeCubFixture, writeCubFixture } from './cub-fixture';

describe('plugins/bird-cmr CUB-200-2011 reader', () => {
  let root: string;
  before(async () => {
    root = await writeCubFixture();
  });
  after(() => removeCubFixture(root));

  const copyWith = (file: string, edit: (text: string) => string | null): string => {
    const other = path.join(path.dirname(root), `variant-${Math.random().toString(36).slice(2)}`);
    fs.cpSync(root, other, { recursive: true });
    const target = path.join(other, file);
    const text = edit(fs.readFileSync(target, 'utf8'));
    if (text === null) fs.rmSync(target);
    else fs.writeFileSync(target, text);
    return other;
  };

  it('reads the splits, species and paths', async () => {
    const ds = await CubDataset.load({ root, size: [22, 22] });
    expect(ds.samples('all').map((s) => s.id)).to.deep.equal([
      '001.Alpha_Bird/Alpha_Bird_0001.jpg',
      '001.Alpha_Bird/Alpha_Bird_0002.jpg',
      '002.Beta_Bird/Beta_Bird_0001.jpg',
    ]);
    expect(ds.samples('train').map((s) => s.identity)).to.deep.equal([0, 1]);
    expect(ds.samples('test')).to.have.length(1);
    const a = cubAnnotations(ds.samples('train')[1]);
    expect(a.speciesName).to.equal('002.Beta_Bird');
    expect(a.maskPath).to.equal(path.join(root, 'segmentations', '002.Beta_Bird', 'Beta_Bird_0001.png'));
    expect(ds.samples('all')[0].imagePath).to.equal(path.join(root, 'images', '001.Alpha_Bird', 'Alpha_Bird_0001.jpg'));
    expect(() => ds.samples('val')).to.throw(/no split 'val'; available: train, test, all/);
  });

  it('crops a square padded window around the box (black outside the photo) at the configured size', async () => {
    const ds = await CubDataset.load({ root, size: [22, 22] });
    const sample = ds.samples('all')[0];
    // Box 40x20 at (20,10): a 44x44 window centred on (40,20), from y = -2 (above the photo).
    expect(cubAnnotations(sample).crop).to.deep.equal({ x: 18, y: -2, width: 44, height: 44 });
    const before = tf.memory().numTensors;
    const image = await ds.loadImage(sample);
    // Only the returned crop stays alive (the decoded photo and intermediates are disposed).
    expect(tf.memory().numTensors - before).to.equal(1);
    expect(image.shape).to.deep.equal([22, 22, 3]);
    const px = (await image.array()) as number[][][];
    image.dispose();
    // Row 0 samples y = -1: outside, black.
    for (const v of px[0][5]) expect(v).to.be.closeTo(-1, 1e-6);
    // The photo's left half is red, right half blue; the window's centre column is x = 40, the split.
    expect(px[10][3][0]).to.be.greaterThan(0.8);
    expect(px[10][3][2]).to.be.lessThan(-0.8);
    expect(px[10][18][2]).to.be.greaterThan(0.8);
    expect(px[10][18][0]).to.be.lessThan(-0.8);
  });

  it('gives keypoints in the crop\'s normalised coordinates, 0 and invisible where CUB marks them so', async () => {
    const ds = await CubDataset.load({ root, size: [22, 22] });
    const a = cubAnnotations(ds.samples('all')[0]);
    // beak at (40, 20) is the window centre.
    expect(a.keypoints[2]).to.be.closeTo(0, 1e-12);
    expect(a.keypoints[3]).to.be.closeTo(0, 1e-12);
    expect(a.keypoints[12]).to.be.closeTo((2 * (30 - 18)) / 44 - 1, 1e-12);
    expect(a.visible).to.deep.equal([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(a.keypoints[0]).to.equal(0);
  });

  it('flips: mirrored image, mirrored keypoints with left and right swapped, and flips back', async () => {
    const ds = await CubDataset.load({ root, size: [22, 22] });
    const sample = ds.samples('all')[0];
    const flipped = ds.flip(sample);
    expect(flipped.id).to.equal(`${sample.id}#flip`);
    const a = cubAnnotations(sample);
    const f = cubAnnotations(flipped);
    expect(f.flipped).to.equal(true);
    // Left eye slot (6) now holds the right eye (10), mirrored; visibility swapped with it.
    expect(f.keypoints[12]).to.be.closeTo(-a.keypoints[20], 1e-12);
    expect(f.keypoints[13]).to.be.closeTo(a.keypoints[21], 1e-12);
    expect(f.keypoints[20]).to.be.closeTo(-a.keypoints[12], 1e-12);
    expect(f.keypoints[2]).to.be.closeTo(-a.keypoints[2], 1e-12);
    const [im, imf] = await Promise.all([ds.loadImage(sample), ds.loadImage(flipped)]);
    const mirrored = tf.image.flipLeftRight(imf.expandDims(0) as tf.Tensor4D);
    expect(tf.max(tf.abs(tf.sub(mirrored.squeeze([0]), im))).dataSync()[0]).to.be.lessThan(1e-6);
    tf.dispose([im, imf, mirrored]);
    const back = ds.flip(flipped);
    expect(back.id).to.equal(sample.id);
    expect(cubAnnotations(back).keypoints).to.deep.equal(a.keypoints);
  });

  it('loads the segmentation mask cropped (and flipped) like the image', async () => {
    const ds = await CubDataset.load({ root, size: [22, 22] });
    const sample = ds.samples('all')[0];
    const mask = await expectNoTensorLeak(() => ds.loadMask(sample), 'loadMask');
    expect(mask.length).to.equal(22 * 22);
    // Box rows 10..30 map to crop rows (10+2)/2 = 6 .. 16; columns 20..60 to 1 .. 21.
    expect(mask[11 * 22 + 11]).to.be.closeTo(1, 1e-6);
    expect(mask[2 * 22 + 11]).to.be.closeTo(0, 1e-6);
    const total = mask.reduce((s, v) => s + v, 0);
    expect(total).to.be.closeTo(20 * 10, 15);
    const flippedMask = await ds.loadMask(ds.flip(sample));
    for (let y = 0; y < 22; y++) for (let x = 0; x < 22; x++) expect(flippedMask[y * 22 + x]).to.be.closeTo(mask[y * 22 + 21 - x], 1e-6);
  });

  it('explains missing masks, and takes a mask folder given in the options', async () => {
    const noMasks = copyWith('images.txt', (t) => t);
    fs.rmSync(path.join(noMasks, 'segmentations'), { recursive: true });
    const ds = await CubDataset.load({ root: noMasks, size: [16, 16] });
    let message = '';
    await ds.loadMask(ds.samples('all')[0]).catch((e: Error) => (message = e.message));
    expect(message).to.match(/segmentation masks are not installed.*dataset\.segmentations/);
    const ds2 = await CubDataset.load({ root: noMasks, size: [16, 16], segmentations: path.join(root, 'segmentations') });
    expect((await ds2.loadMask(ds2.samples('all')[0])).length).to.equal(256);
  });

  it('handles a non-square output by widening the window to its aspect ratio', () => {
    const w = paddedCropWindow([0, 0, 10, 40], [32, 64], 0);
    expect(w).to.deep.equal({ x: -35, y: 0, width: 80, height: 40 });
  });

  it('names the file and line of malformed or missing annotations', async () => {
    const cases: [string, (t: string) => string | null, RegExp][] = [
      ['bounding_boxes.txt', (t) => t.replace(/^2 .*$/m, '2 8.0 8.0 48.0'), /bounding_boxes\.txt:2: expected '<image_id> <x> <y> <width> <height>' \(5 fields\)/],
      ['bounding_boxes.txt', (t) => t.replace(/^2 .*$/m, '2 8.0 8.0 0.0 4.0'), /bounding_boxes\.txt:2: box width and height must be positive/],
      ['parts/part_locs.txt', () => null, /parts[/\\]part_locs\.txt is missing: set dataset\.root/],
      ['parts/part_locs.txt', (t) => t.replace(/^1 3 .*$/m, '1 3 0.0 zero 0'), /part_locs\.txt:3: y 'zero' is not a number/],
      ['parts/part_locs.txt', (t) => t.replace(/^1 3 .*$/m, '1 16 0.0 0.0 0'), /part_locs\.txt:3: part id 16 is outside 1\.\.15/],
      ['parts/part_locs.txt', (t) => t.replace(/^1 3 .*\n/m, ''), /has no part 3 for image 1/],
      ['image_class_labels.txt', (t) => t.replace(/^3 .*\n/m, ''), /image_class_labels\.txt has no entry for image 3 \(002\.Beta_Bird\/Beta_Bird_0001\.jpg\)/],
      ['train_test_split.txt', (t) => t.replace(/^1 1$/m, '1 yes'), /train_test_split\.txt:1: is_training_image must be 0 or 1/],
      ['image_class_labels.txt', (t) => `${t}9 1\n`, /image_class_labels\.txt:4: image id 9 is not listed in images\.txt/],
      ['images.txt', (t) => `${t}1 again.jpg\n`, /images\.txt:4: image id 1 appears twice/],
    ];
    for (const [file, edit, pattern] of cases) {
      const variant = copyWith(file, edit);
      let message = '';
      await CubDataset.load({ root: variant, size: [16, 16] }).catch((e: Error) => (message = e.message));
      expect(message, `${file}`).to.match(pattern);
    }
    let message = '';
    await CubDataset.load({ root: path.join(root, 'nope'), size: [16, 16] }).catch((e: Error) => (message = e.message));
    expect(message).to.match(/does not exist: set dataset\.root/);
  });

  it('names the image file when a photo is missing', async () => {
    const variant = copyWith('images.txt', (t) => t);
    fs.rmSync(path.join(variant, 'images', '002.Beta_Bird', 'Beta_Bird_0001.jpg'));
    const ds = await CubDataset.load({ root: variant, size: [16, 16] });
    let message = '';
    await ds.loadImage(ds.samples('all')[2]).catch((e: Error) => (message = e.message));
    expect(message).to.contain('Beta_Bird_0001.jpg');
  });
});
