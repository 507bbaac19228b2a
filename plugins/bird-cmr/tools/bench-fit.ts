import { AnnotationFitPredictor } from '../predictors/annotation-fit';
import { benchmarkAnnotationFit } from '../predictors/fit-benchmark';
import { buildBirdMeanShape } from '../shape/mean-shape';

/**
 * Scores the annotation-fit predictor on rendered birds with known cameras and prints JSON.
 * Usage: node dist/plugins/bird-cmr/tools/bench-fit.js [count] [noisePx] [mismatch 0|1]
 */
async function main(): Promise<void> {
  const [countArg = '20', noiseArg = '3', mismatchArg = '1'] = process.argv.slice(2);
  const shape = buildBirdMeanShape(3);
  const predictor = new AnnotationFitPredictor(shape);
  const result = await benchmarkAnnotationFit(predictor, shape, {
    count: Number(countArg),
    keypointNoisePx: Number(noiseArg),
    shapeMismatch: mismatchArg !== '0',
  });
  process.stdout.write(`${JSON.stringify({ predictor: 'annotation-fit', ...result }, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
