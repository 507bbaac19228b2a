import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../../../core/backend/backend';
import { readImage } from '../../../../core/io/image-decode';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import { UNSURE_SCORE, type FacingEvidence } from '../../../../plugins/human-smpl/keypoint-fit/facing-decision';
import { KeypointFitPredictor } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fit-predictor';

/**
 * The shared real photos (`../shared/realphotos` next to the repository, or RETEX_REAL_PHOTOS): Market-1501
 * crops for development and testing only, not shipped with retex. Absent on most machines: then skip.
 */
function realPhotosFolder(): string | null {
  const candidates: string[] = [];
  if (process.env.RETEX_REAL_PHOTOS) candidates.push(process.env.RETEX_REAL_PHOTOS);
  // the repository root: the nearest folder up from here with a package.json (followed through symlinks)
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      candidates.push(path.join(path.dirname(fs.realpathSync(pkg)), '..', 'shared', 'realphotos'));
      break;
    }
  }
  candidates.push(path.join(process.cwd(), '..', 'shared', 'realphotos'));
  return candidates.find((c) => fs.existsSync(path.join(c, 'SOURCES.md')) && fs.existsSync(path.join(c, 'people'))) ?? null;
}

/** People photos whose SOURCES.md description says "front view" or "back view", with that facing. */
function describedFacings(folder: string): Array<{ file: string; facing: 'front' | 'back' }> {
  const out: Array<{ file: string; facing: 'front' | 'back' }> = [];
  for (const line of fs.readFileSync(path.join(folder, 'SOURCES.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = cells.find((c) => /^people\/[^/]+\.(jpe?g|png)$/i.test(c));
    const description = cells[cells.length - 2] ?? '';
    const m = /\b(front|back) view\b/.exec(description);
    if (file && m && fs.existsSync(path.join(folder, file))) out.push({ file: path.join(folder, file), facing: m[1] as 'front' | 'back' });
  }
  return out;
}

describe('plugins/human-smpl keypoint-fit on the shared real photos', function () {
  const folder = realPhotosFolder();
  const photos = folder ? describedFacings(folder) : [];
  let predictor: KeypointFitPredictor;
  const judged = new Map<string, FacingEvidence>();
  /** The detectors' facing votes on a photo (each photo judged once). */
  async function judge(file: string): Promise<FacingEvidence> {
    let evidence = judged.get(file);
    if (!evidence) {
      const image = await readImage(file);
      evidence = await predictor.judgeFacing(image).finally(() => image.dispose());
      judged.set(file, evidence);
    }
    return evidence;
  }

  before(async function () {
    if (photos.length === 0) this.skip();
    await initBackend('wasm');
    predictor = await KeypointFitPredictor.load(BodyModel.create(builtinBodyData()), { steps: 40, refine: false });
  });
  after(async () => {
    predictor?.dispose();
    await initBackend('cpu');
  });

  it('tells front from back on every photo described as a "front view" or "back view": the votes, or the fit where they are unsure', async () => {
    const wrong: string[] = [];
    for (const { file, facing } of photos) {
      const evidence = await judge(file);
      let said: string = evidence.score > 0 ? 'front' : 'back';
      if (Math.abs(evidence.score) < UNSURE_SCORE) {
        // Unsure votes: both facings are fitted and their agreement with the keypoints and mask decides.
        const image = await readImage(file);
        await predictor.predict({ image, id: path.basename(file) }).finally(() => image.dispose());
        said = predictor.lastDiagnostics!.facing;
      }
      if (said !== facing) wrong.push(`${path.basename(file)}: described ${facing}, score ${evidence.score.toFixed(2)}, fitted ${said}`);
    }
    expect(wrong, wrong.join('; ')).to.deep.equal([]);
  });

  it('fits a back view BlazePose takes for a front facing away, and a front view facing the camera, at plausible sizes', async function () {
    const pick: Array<{ file: string; facing: 'front' | 'back' }> = [];
    for (const want of ['back', 'front'] as const) {
      for (const p of photos.filter((q) => q.facing === want)) {
        const evidence = await judge(p.file);
        // for the back, the hard case: BlazePose's own labels say front
        if (want === 'front' || evidence.blazePose > 0) {
          pick.push(p);
          break;
        }
      }
    }
    if (pick.length === 0) this.skip();
    for (const { file, facing } of pick) {
      const image = await readImage(file);
      await predictor.predict({ image, id: path.basename(file) }).finally(() => image.dispose());
      const d = predictor.lastDiagnostics!;
      expect(d.facing, `${path.basename(file)} (${d.headingDeg.toFixed(0)} deg)`).to.equal(facing);
      expect(d.torsoRatio, `${path.basename(file)} torso`).to.be.within(0.8, 1.25);
      expect(d.extentRatio, `${path.basename(file)} height over the mask's`).to.be.above(0.8);
    }
  });
});
