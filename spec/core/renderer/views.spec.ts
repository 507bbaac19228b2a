import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { cubeMesh } from '../../../core/renderer/primitives';
import { renderViews, viewAngles, writeViews } from '../../../core/renderer/views';

/** A texture painting each cell of the cube's 3x2 UV atlas one colour. */
function atlasTexture(colours: [number, number, number][]): { pixels: Uint8Array; height: number; width: number; channels: 3 } {
  const [h, w] = [32, 48];
  const pixels = new Uint8Array(h * w * 3);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) pixels.set(colours[Math.floor(r / 16) * 3 + Math.floor(c / 16)], 3 * (r * w + c));
  return { pixels, height: h, width: w, channels: 3 };
}

describe('core/renderer/views', () => {
  const colours: [number, number, number][] = [[250, 0, 0], [0, 250, 0], [0, 0, 250], [250, 250, 0], [0, 250, 250], [250, 0, 250]];

  it('front, side and back views show the +z, a side, and the -z faces of a cube, shaded, on the background', () => {
    const grid = renderViews(cubeMesh(1), atlasTexture(colours), { viewSize: [40, 40], background: [10, 20, 30] });
    expect([grid.height, grid.width, grid.channels]).to.deep.equal([40, 120, 3]);
    const at = (x: number, y: number) => Array.from(grid.pixels.subarray(3 * (y * 120 + x), 3 * (y * 120 + x) + 3));
    expect(at(0, 0)).to.deep.equal([10, 20, 30]);
    const hue = (rgb: number[]) => rgb.map((v) => (v > 40 ? 1 : 0)).join('');
    // Atlas cells: +x red, -x green, +y blue, -y yellow, +z cyan, -z magenta.
    expect(hue(at(20, 20))).to.equal('011'); // front: +z
    expect(['100', '010']).to.include(hue(at(60, 20))); // side: +x or -x
    expect(hue(at(100, 20))).to.equal('101'); // back: -z
    const lit = at(20, 20)[1];
    expect(lit).to.be.within(0.35 * 250 - 1, 250);
  });

  it('writes a turntable grid as a PNG', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-views-'));
    try {
      const file = path.join(dir, 'grid.png');
      await writeViews(file, cubeMesh(1), atlasTexture(colours), { views: 6, viewSize: [24, 24], columns: 3 });
      const meta = await sharp(file).metadata();
      expect([meta.width, meta.height]).to.deep.equal([72, 48]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(viewAngles(4)).to.deep.equal([0, Math.PI / 2, Math.PI, (3 * Math.PI) / 2]);
    expect(() => viewAngles(0)).to.throw(/turntable of 1..64 views/);
  });
});
