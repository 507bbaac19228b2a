import { expect } from 'chai';
import sharp from 'sharp';
import type { Mesh } from '../../../core/interfaces/mesh';
import { rasterize } from '../../../core/renderer/rasterizer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { proceduralBackground } from '../../../core/synth/backgrounds';
import { encodeMaskPng } from '../../../core/synth/encode';
import { SeededRandom } from '../../../core/synth/random';
import { solidImage } from '../../../core/synth/rgb-image';
import { shadeTextured } from '../../../core/synth/shade-textured';
import { WriteQueue } from '../../../core/synth/synth-folder';

describe('core/synth', () => {
  it('SeededRandom streams depend only on their parts', () => {
    const a = SeededRandom.of(3, 'image', 7);
    const b = SeededRandom.of(3, 'image', 7);
    const c = SeededRandom.of(3, 'image', 8);
    const xs = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).to.deep.equal(xs);
    expect(c.next()).to.not.equal(xs[0]);
    for (const x of xs) expect(x).to.be.within(0, 1);
  });

  it('shadeTextured: a camera-facing square lit head-on shows texture * (ambient + diffuse), elsewhere the background', () => {
    // A square in the z = 0 plane covering the middle of the image, UVs spanning the whole texture.
    const mesh: Mesh = {
      vertices: Float32Array.of(-0.5, -0.5, 0, 0.5, -0.5, 0, 0.5, 0.5, 0, -0.5, 0.5, 0),
      faces: Int32Array.of(0, 1, 2, 0, 2, 3),
      uvs: Float32Array.of(0, 1, 1, 1, 1, 0, 0, 0),
      uvFaces: Int32Array.of(0, 1, 2, 0, 2, 3),
    };
    const frags = rasterize(mesh, new WeakPerspectiveCamera({ scale: 1, translation: [0, 0] }), 16, 16);
    const texture = solidImage(4, 4, [200, 100, 50]);
    const target = solidImage(16, 16, [7, 8, 9]);
    const mask = shadeTextured(frags, texture, mesh.vertices, mesh.faces, { direction: [0, 0, 1], ambient: 0.25, diffuse: 0.5, tint: [1, 1, 1] }, target);
    let covered = 0;
    for (let p = 0; p < 256; p++) {
      const px = Array.from(target.pixels.subarray(3 * p, 3 * p + 3));
      if (frags.faceIds[p] >= 0) {
        covered++;
        expect(mask[p]).to.equal(255);
        expect(px).to.deep.equal([150, 75, 38]); // 0.75 * [200, 100, 50], rounded
      } else {
        expect(mask[p]).to.equal(0);
        expect(px).to.deep.equal([7, 8, 9]);
      }
    }
    expect(covered).to.equal(64); // the middle 8x8 pixels
  });

  it('encodeMaskPng writes a greyscale PNG that decodes to the same bytes', async () => {
    const mask = new Uint8Array(5 * 7).map((_, i) => (i % 3 ? 255 : 0));
    const png = encodeMaskPng(mask, 5, 7);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.height, info.width]).to.deep.equal([5, 7]);
    expect(Array.from(data)).to.deep.equal(Array.from(mask));
  });

  it('proceduralBackground is deterministic for a stream and fills the image', () => {
    const a = proceduralBackground(20, 10, SeededRandom.of(1, 'bg'));
    const b = proceduralBackground(20, 10, SeededRandom.of(1, 'bg'));
    expect(Buffer.from(a.image.pixels).equals(Buffer.from(b.image.pixels))).to.equal(true);
    expect(a.kind).to.equal(b.kind);
    expect(a.image.pixels.length).to.equal(20 * 10 * 3);
  });

  it('WriteQueue bounds the tasks in flight and rethrows the first failure', async () => {
    const queue = new WriteQueue(2);
    let running = 0;
    let most = 0;
    const task = (fail = false) =>
      (async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (fail) throw new Error('disk full');
      })();
    for (let i = 0; i < 5; i++) await queue.add(task());
    await queue.drain();
    expect(most).to.equal(2);
    await queue.add(task(true));
    let error: Error | undefined;
    try {
      await queue.drain();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.equal('disk full');
  });
});
