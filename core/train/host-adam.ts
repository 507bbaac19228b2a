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

  /**
   * Starts one update: counts the step and returns its coefficients, for {@link applyAdam} over every weight
   * (here by `update`, or by data-parallel workers, each over its share of the weights).
   * @param lr this step's learning rate
   */
  begin(lr: number): AdamCoefficients {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new Error(`learning rate must be a number >= 0, got ${lr}`);
    this.t += 1;
    return {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      stepSize: lr / (1 - this.beta1 ** this.t),
      c2: Math.sqrt(1 - this.beta2 ** this.t),
    };
  }

  /** One update of every weight that has a gradient, in place. @param lr this step's learning rate */
  update(weights: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number): void {
    const c = this.begin(lr);
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (w == null || w.length !== g.length) throw new Error(`Adam: gradient '${name}' has no weight of its size`);
      const { m, v } = this.moments(name, g.length);
      applyAdam(w, m, v, [g], [1], 0, g.length, c);
    }
  }

  /**
   * Keeps the moments of each weight in the given arrays (e.g. views of memory shared with workers that apply
   * the updates): the state so far is copied into them (zeros for a weight without one) and they become the
   * state. Arrays already adopted are left as they are, so calling this before every step costs nothing.
   */
  adopt(m: ReadonlyMap<string, Float32Array>, v: ReadonlyMap<string, Float32Array>): void {
    for (const [name, mView] of m) {
      const vView = v.get(name);
      if (vView == null || vView.length !== mView.length) throw new Error(`Adam: no second moment of ${mView.length} values for '${name}'`);
      if (this.m.get(name) === mView && this.v.get(name) === vView) continue;
      const { m: mOld, v: vOld } = this.moments(name, mView.length);
      mView.set(mOld);
      vView.set(vOld);
      this.m.set(name, mView);
      this.v.set(name, vView);
    }
  }

  state(): HostAdamState {
    return { step: this.t, m: this.m, v: this.v };
  }

  /** The moments of weight `name`, created as zeros of `size` values when it has none yet. */
  private moments(name: string, size: number): { m: Float32Array; v: Float32Array } {
    let m = this.m.get(name);
    let v = this.v.get(name);
    if (m == null || v == null) {
      m = new Float32Array(size);
      v = new Float32Array(size);
      this.m.set(name, m);
      this.v.set(name, v);
    }
    if (m.length !== size || v.length !== size) throw new Error(`Adam: the state of '${name}' has ${m.length} values, the weight ${size}`);
    return { m, v };
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

/** One Adam step's coefficients (see {@link HostAdam.begin}). */
export interface AdamCoefficients {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** lr / (1 - beta1^t) */
  readonly stepSize: number;
  /** sqrt(1 - beta2^t) */
  readonly c2: number;
}

/**
 * Adam on elements [start, end) of the weights `w` and moments `m`, `v`, in place, with the gradient
 * sum_k gradWeights[k] * grads[k][i] (the average of data-parallel shards, or one gradient with weight 1), as
 * PyTorch's `torch.optim.Adam` computes it (weight decay added to the gradient).
 */
export function applyAdam(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  grads: readonly Float32Array[],
  gradWeights: readonly number[],
  start: number,
  end: number,
  c: AdamCoefficients,
): void {
  const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd, stepSize, c2 } = c;
  const [g0, g1] = grads;
  const [k0, k1] = gradWeights;
  for (let i = start; i < end; i++) {
    let g = k0 * g0[i];
    if (g1 !== undefined) g += k1 * g1[i];
    for (let k = 2; k < grads.length; k++) g += gradWeights[k] * grads[k][i];
    const gi = g + wd * w[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / c2 + eps);
  }
}
