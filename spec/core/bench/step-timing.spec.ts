import { expect } from 'chai';
import { performance } from 'perf_hooks';
import { median, timeSteps, warmupSecondsOption } from '../../../core/bench/step-timing';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('core/bench/step-timing', () => {
  it('warms up for at least the given steps and seconds, then times the given steps', async () => {
    let calls = 0;
    const t0 = performance.now();
    const r = await timeSteps(async () => {
      calls++;
      await sleep(5);
      return calls;
    }, 2, 3, 0.06);
    const warmMs = performance.now() - t0;
    expect(r.warmupSteps).to.be.at.least(2);
    expect(calls).to.equal(r.warmupSteps + 3);
    expect(r.last).to.equal(calls);
    // The untimed part alone lasted the 60 ms asked for: more steps than the 2 required.
    expect(warmMs).to.be.at.least(60);
    expect(r.warmupSteps).to.be.greaterThan(2);
    expect(r.ms).to.be.greaterThan(0);
  });

  it('with warmup 0 times from the first step, whatever the seconds', async () => {
    let calls = 0;
    const r = await timeSteps(() => ++calls, 0, 4, 10);
    expect([r.warmupSteps, calls, r.last]).to.deep.equal([0, 4, 4]);
  });

  it('takes medians and checks --warmup-seconds', () => {
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(warmupSecondsOption(undefined)).to.equal(5);
    expect(warmupSecondsOption(0)).to.equal(0);
    expect(() => warmupSecondsOption(-1)).to.throw(/--warmup-seconds must be a number >= 0/);
  });
});
