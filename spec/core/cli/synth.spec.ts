import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runBenchSynth } from '../../../core/cli/commands/bench-synth';
import { parseImageSize } from '../../../core/cli/arg-parsers';
import type { CliServices } from '../../../core/cli/services';
import type { SynthContext, SyntheticDataWriter } from '../../../core/plugin';
import { runRetex } from '../../helpers/cli';

/** A writer that writes `subjects * imagesPerSubject` files of 1000 bytes: known figures for the bench. */
function fakeWriter(calls: SynthContext[]): SyntheticDataWriter {
  return {
    description: 'fake',
    defaults: { subjects: 2, imagesPerSubject: 3, size: [8, 4] },
    async run(context) {
      calls.push(context);
      const n = (context.subjects ?? 2) * (context.imagesPerSubject ?? 3);
      fs.mkdirSync(context.out, { recursive: true });
      for (let i = 0; i < n; i++) fs.writeFileSync(path.join(context.out, `${i}.jpg`), Buffer.alloc(1000));
      return { out: context.out, layout: 'fake', subjects: context.subjects ?? 2, images: n, written: n, size: context.size ?? [8, 4], splits: { train: n }, imageBytes: 1000 * n };
    },
  };
}

function fakeServices(writers: Record<string, SyntheticDataWriter>): CliServices {
  return {
    plugins: () => Object.keys(writers).concat('fish').map((c) => ({ id: `${c}-plugin`, categories: [c], description: '', roles: {} as never })),
    loadConfig: () => Promise.reject(new Error('not used')),
    pluginBenchmark: () => {
      throw new Error('not used');
    },
    pluginSynth: (category) => {
      const w = writers[category];
      if (!w) throw new Error(`plugin '${category}-plugin' (category '${category}') has no synthetic data writer yet`);
      return w;
    },
    loadRole: () => Promise.reject(new Error('not used')),
    roleWorkerModule: '',
    shippedGenerator: () => null,
    identityRecipes: () => ({}),
    photoSubject: () => {
      throw new Error('not used');
    },
    textureSymmetry: () => null,
    templateMesh: () => Promise.reject(new Error('not used')),
  };
}

describe('core/cli synth and bench synth', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-synth-cli-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('parses HxW sizes', () => {
    expect(parseImageSize('128x64')).to.deep.equal([128, 64]);
    expect(() => parseImageSize('128')).to.throw(/HEIGHTxWIDTH/);
  });

  it('`retex synth --category human --json` writes the folder and prints the summary; a rerun writes nothing', () => {
    const out = path.join(root, 'human');
    const args = ['synth', '--category', 'human', '--out', out, '--identities', '2', '--images-per-identity', '2', '--size', '64x32', '--seed', '3', '--json'];
    let run = runRetex(args);
    expect(run.status, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).to.include({ layout: 'market1501', subjects: 2, images: 4, written: 4 });
    expect(summary.splits).to.deep.equal({ bounding_box_train: 2, bounding_box_test: 1, query: 1 });
    expect(fs.readdirSync(path.join(out, 'bounding_box_train'))).to.have.length(2);
    run = runRetex(args);
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout).written).to.equal(0);
  });

  it('explains bad options', () => {
    let run = runRetex(['synth', '--category', 'human', '--out', path.join(root, 'x'), '--identities', '1']);
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('--identities must be');
    run = runRetex(['synth', '--category', 'bird', '--out', path.join(root, 'y'), '--textures', root]);
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('--textures is for --category human');
    run = runRetex(['synth', '--category', 'human', '--out', path.join(root, 'z'), '--size', 'big']);
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('HEIGHTxWIDTH');
  });

  it('bench synth: one row per category with a writer, images per second and bytes per image', async () => {
    const calls: SynthContext[] = [];
    const rows = await runBenchSynth(fakeServices({ human: fakeWriter(calls) }), { images: 10, json: true });
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ category: 'human', size: '8x4', images: 10, bytes_per_image: 1000, bytes_per_image_with_truth: 1000 });
    expect(rows[0].images_per_s).to.be.greaterThan(0);
    expect(calls[0]).to.include({ subjects: 2, imagesPerSubject: 5 });
    // The temporary folder is removed.
    expect(fs.existsSync(calls[0].out)).to.equal(false);
  });
});
