import { writePng } from '../../../core/io/image-io';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { BIRD_VIEW_ROTATIONS, birdViewQuaternion, type BirdView } from '../camera/bird-views';
import { buildBirdMeanShape, keypointPositions } from '../shape/mean-shape';
import { shadedView, sideBySide } from '../shape/shape-preview';

/**
 * Writes the mean shape seen from the side, top and front as one PNG, keypoints in red.
 * Usage: node dist/plugins/bird-cmr/tools/render-mean-shape.js out.png [size] [subdivisions]
 */
async function main(): Promise<void> {
  const [out = 'bird-mean-shape.png', sizeArg = '256', levelArg = '3'] = process.argv.slice(2);
  const size = Number(sizeArg);
  const shape = buildBirdMeanShape(Number(levelArg));
  const markers = keypointPositions(shape);
  const scale = 0.9;
  const views = (Object.keys(BIRD_VIEW_ROTATIONS) as BirdView[]).map((view) =>
    shadedView(
      shape.mesh,
      new WeakPerspectiveCamera({ scale, translation: [0, 0], quaternion: birdViewQuaternion(view) }),
      size,
      size,
      (scale * size) / 2,
      markers,
    ),
  );
  const grid = sideBySide(views);
  await writePng(out, grid.pixels, grid.height, grid.width, 3);
  process.stdout.write(`wrote ${out} (${shape.mesh.vertices.length / 3} vertices, ${shape.mesh.faces.length / 3} faces)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});
