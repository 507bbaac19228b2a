import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { birdPhotoAnnotations, readPartLocations } from '../../../../plugins/bird-cmr/photo/photo-hints';
import { birdViewQuaternion } from '../../../../plugins/bird-cmr/camera/bird-views';
import { forwardAxis, headTailTwin, imageHeading, sameHeading, upAxis, upsideDown, UPRIGHT_SLACK } from '../../../../plugins/bird-cmr/photo/heading';
import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix } from '../../../../core/renderer/rotation';
import { matrixToQuaternion } from '../../../../plugins/bird-cmr/camera/quaternion';
import { renderSilhouette, maskIou } from '../../../../plugins/bird-cmr/predictors/silhouette';
import { buildBirdMeanShape } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { projectWeakPerspective } from '../../../../plugins/bird-cmr/camera/camera-fit';

describe('plugins/bird-cmr photo hints and headings', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const window = { x: 100, y: 50, width: 200, height: 200 };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-hints-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes a heading through and rejects others, listing the allowed values', async () => {
    expect(await birdPhotoAnnotations({ heading: 'left' }, window, [128, 128])).to.deep.equal({ heading: 'left' });
    expect(await birdPhotoAnnotations({ heading: 'Right' }, window, [128, 128])).to.deep.equal({ heading: 'right' });
    expect(await birdPhotoAnnotations({}, window, [128, 128])).to.deep.equal({});
    const message = await birdPhotoAnnotations({ heading: 'up' }, window, [128, 128]).then(() => '', (e: Error) => e.message);
    expect(message).to.match(/heading 'up'.*one of left, right/);
  });

  it("reads CUB's part_locs lines (with or without the image id) into the crop's normalised coordinates", async () => {
    // Beak (part 2) at the window's left edge middle, tail (14) at its centre, back (1) top-right corner.
    const lines = ['1 300 50 1', '2 100 150 1', '14 200 150 1', '5 0 0 0'];
    const four = write('four.txt', `${lines.join('\n')}\n`);
    const five = write('five.txt', `# one photo\n${lines.map((l) => `17 ${l}`).join('\r\n')}\n\n`);
    for (const file of [four, five]) {
      const a = await birdPhotoAnnotations({ keypointsFile: file, heading: 'left' }, window, [128, 128]);
      const kp = a.keypoints as number[];
      const vis = a.visible as number[];
      expect(kp).to.have.length(30);
      expect(vis).to.deep.equal([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
      expect(kp.slice(0, 4)).to.deep.equal([1, -1, -1, 0]);
      expect(kp.slice(26, 28)).to.deep.equal([0, 0]);
      expect(a.heading).to.equal('left');
    }
    const parts = readPartLocations(four);
    expect(Array.from(parts.points.slice(2, 4))).to.deep.equal([100, 150]);
  });

  it('says which line of a malformed keypoint file is wrong and what was expected', () => {
    const cases: [string, RegExp][] = [
      ['1 2 3\n', /:1: expected '<part_id> <x> <y> <visible>' or CUB's '<image_id> <part_id> <x> <y> <visible>', got 3 fields/],
      ['1 10 10 1\n1 1 10 10 1\n', /:2: expected 4 fields like the lines before/],
      ['1 1 10 10 1\n2 2 10 10 1\n', /:2: image id 2 differs from 1 .*one photo/],
      ['16 10 10 1\n', /:1: part id '16' must be a whole number in 1\.\.15 \(CUB's parts: 1 back, 2 beak/],
      ['1 10 10 1\n\n1 12 12 1\n', /:3: part 1 \(back\) is listed twice \(first on line 1\)/],
      ['1 ten 10 1\n', /:1: x 'ten' of part 1 is not a number/],
      ['1 10 10 yes\n', /:1: visible 'yes' of part 1 must be 0 or 1/],
      ['1 10 10 1\n2 20 20 1\n3 30 30 0\n', /has 2 visible parts: placing the bird needs at least 3/],
    ];
    cases.forEach(([text, pattern], i) => {
      const file = write(`bad-${i}.txt`, text);
      expect(() => readPartLocations(file), text).to.throw(pattern);
      expect(() => readPartLocations(file)).to.throw(file);
    });
    expect(() => readPartLocations(path.join(dir, 'missing.txt'))).to.throw(/missing\.txt does not exist/);
  });

  it('reads headings off cameras; the head-tail twin swaps the ends, keeps the back up and the outline close', () => {
    const side = birdViewQuaternion('side');
    expect(imageHeading(side)).to.equal('left');
    expect(forwardAxis(side)[0]).to.be.closeTo(-1, 1e-9);
    expect(upAxis(side)[1]).to.be.closeTo(-1, 1e-9);
    const camera = { scale: 0.7, translation: [0.05, -0.02] as [number, number], quaternion: side };
    expect(headTailTwin(camera).translation).to.deep.equal(camera.translation);
    // About the body's centre: mirrored along the body.
    const shape = buildBirdMeanShape(3);
    const v = shape.mesh.vertices;
    const centre = [0, 1, 2].map((k) => v.filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0) / (v.length / 3));
    const twin = headTailTwin(camera, centre);
    expect(imageHeading(twin.quaternion)).to.equal('right');
    expect(upAxis(twin.quaternion)[1]).to.be.closeTo(-1, 1e-9);
    expect(sameHeading(twin.quaternion, side)).to.equal(false);
    expect(sameHeading(side, side)).to.equal(true);
    // The pivot projects where it did.
    const [a, b] = [camera, twin].map((c) => projectWeakPerspective(c, centre));
    expect(b[0]).to.be.closeTo(a[0], 1e-9);
    expect(b[1]).to.be.closeTo(a[1], 1e-9);
    expect(maskIou(renderSilhouette(shape.mesh, camera, 64, 64), renderSilhouette(shape.mesh, twin, 64, 64))).to.be.greaterThan(0.3);
    const back = headTailTwin(twin, centre);
    expect(back.quaternion.map((q, i) => q - side[i]).every((d) => Math.abs(d) < 1e-9)).to.equal(true);
    expect(back.translation[0]).to.be.closeTo(camera.translation[0], 1e-9);
  });

  it('scores how far a camera turns the bird upside down: zero over every synthetic view, up to 1.3 upside down', () => {
    const side = quaternionToMatrix(birdViewQuaternion('side'));
    const turned = (axis: [number, number, number], degrees: number): number[] =>
      matrixToQuaternion(multiplyMatrices(axisAngleToMatrix(axis.map((a) => (a * degrees * Math.PI) / 180) as [number, number, number]), side));
    expect(upsideDown(birdViewQuaternion('side'))).to.equal(0);
    // The synthetic sets' extremes (roll 20 degrees, seen 50 degrees from above) stay upright.
    expect(upsideDown(turned([0, 0, 1], 20))).to.equal(0);
    expect(upsideDown(turned([1, 0, 0], 50))).to.equal(0);
    expect(upsideDown(turned([1, 0, 0], -20))).to.equal(0);
    // Rolled on its side, then upside down.
    expect(upsideDown(turned([0, 0, 1], 90))).to.be.closeTo(UPRIGHT_SLACK, 1e-9);
    expect(upsideDown(turned([0, 0, 1], 180))).to.be.closeTo(1 + UPRIGHT_SLACK, 1e-9);
  });
});
