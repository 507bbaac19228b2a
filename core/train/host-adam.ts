/** Adam's settings; defaults are PyTorch's (`weightDecay` is its L2 term added to the gradient). */
export interface HostAdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
}

/** Adam's state: the step count and the two moment estimates per weight. */
export interface HostAdamState {
  readonly step: number;
  readonly m: ReadonlyMap<string, Float32Array>;
  readonly v: ReadonlyMap<string, Float32Array>;
}

/**
 * Adam on host memory (Float32Arrays keyed by weight path), as PyTorch's `torch.optim.Adam` computes it.
 * Living outside the workers, its state is plain data: a checkpoint stores it and a resumed run continues
 * with exactly the same updates.
 */
export class HostAdam {
  private t = 0;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  readonly weightDecay: number;

  constructor(options: HostAdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.weightDecay >= 0 && Number.isFinite(this.weightDecay))) {
      throw new Error(`weight decay must be a number >= 0, got ${options.weightDecay}`);
    }
  }

  /** Steps taken so far. */
  get step(): number {
    return this.t;
  }

  /** One update of every weight that has a gradient, in place. @param lr this step's learning rate */
  update(weights: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number): void {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new Error(`learning rate must be a number >= 0, got ${lr}`);
    this.t += 1;
    const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = Math.sqrt(1 - b2 ** this.t);
    const stepSize = lr / c1;
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (w == null || w.length !== g.length) throw new Error(`Adam: gradient '${name}' has no weight of its size`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (m == null || v == null) {
        m = new Float32Array(g.length);
        v = new Float32Array(g.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      for (let i = 0; i < g.length; i++) {
        const gi = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / c2 + eps);
      }
    }
  }

  state(): HostAdamState {
    return { step: this.t, m: this.m, v: this.v };
  }

  /** Continues from a saved state (copies it). */
  restore(state: HostAdamState): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new Error(`Adam state: bad step ${state.step}`);
    this.t = state.step;
    this.m.clear();
    this.v.clear();
    for (const [k, a] of state.m) this.m.set(k, Float32Array.from(a));
    for (const [k, a] of state.v) this.v.set(k, Float32Array.from(a));
  }
}
