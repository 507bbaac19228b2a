import { initBackend } from '../../../core/backend/backend';
import { benchKeypointFit } from '../keypoint-fit/fit-bench';

/**
 * Measures the keypoint-fit predictor on synthetic people (see benchKeypointFit):
 * `node dist/plugins/human-smpl/tools/bench-fit.js [--images N] [--seed S] [--no-refine] [--json]`.
 * Prints reproj_px, iou and ms_per_image (the keys `retex bench fit --json` is to print).
 */
async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  await initBackend('auto');
  const result = await benchKeypointFit({
    images: arg('--images', 8),
    seed: arg('--seed', 0),
    fit: { refine: !argv.includes('--no-refine') },
  });
  if (argv.includes('--json')) console.log(JSON.stringify(result));
  else {
    console.log(`images ${result.images}, rejected ${result.failures.length}`);
    console.log(`reprojection ${result.reproj_px.toFixed(2)} px, silhouette IoU ${result.iou.toFixed(3)}, ${result.ms_per_image.toFixed(0)} ms/image`);
    for (const f of result.failures) console.log(`  ${f}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
