import { tf } from '../backend/tf';

/** A variable with the logical, slash-separated name used to save and load it (`unet/down1/conv1/kernel`). */
export interface NamedVariable {
  /** Logical name, unique within one network; independent of the tfjs-registered name. */
  readonly path: string;
  readonly variable: tf.Variable;
  /** True for weights the optimiser updates; false for statistics such as batch-norm moving means. */
  readonly trainable: boolean;
}

/**
 * Deterministic seeds for weight initialisers: the n-th call returns the same seed for the same start,
 * so two replicas built with the same seed start from the same weights.
 */
export class SeedSequence {
  private next: number;

  constructor(seed: number) {
    this.next = seed >>> 0;
  }

  /** The next seed (a 31-bit integer, derived with a mulberry32 step). */
  take(): number {
    this.next = (this.next + 0x6d2b79f5) >>> 0;
    let t = this.next;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0x7fffffff;
  }
}

/** Depth of {@link withoutRandomInit} calls in progress (construction is synchronous). */
let skipRandomInit = 0;

/**
 * Builds a network whose weights are loaded right after: its initialisers give zeros instead of random
 * draws (drawing a U-Net's or a ResNet's weights costs ~100 ms that the load overwrites).
 */
export function withoutRandomInit<T>(build: () => T): T {
  skipRandomInit++;
  try {
    return build();
  } finally {
    skipRandomInit--;
  }
}

/**
 * Creates and records the variables of one network under a path prefix. Layers receive a child scope
 * (`scope.child('down1')`) so every variable gets a readable, stable name without global state.
 *
 * tfjs registers variables globally by name, and two live networks may share logical names (a replica
 * and a reference in one process), so the registered name gets a numeric suffix when the logical name
 * is taken; save/load always use the logical `path`.
 */
export class VariableScope {
  private readonly registry: NamedVariable[];

  private constructor(
    readonly prefix: string,
    readonly seeds: SeedSequence,
    registry: NamedVariable[],
  ) {
    this.registry = registry;
  }

  /** A root scope; `seed` makes the initial weights reproducible. */
  static root(prefix: string, seed = 1): VariableScope {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix)) {
      throw new Error(`invalid variable scope '${prefix}': use letters, digits, '_', '.', '-' and '/'`);
    }
    return new VariableScope(prefix, new SeedSequence(seed), []);
  }

  /** A scope one level down, sharing this scope's registry and seed sequence. */
  child(name: string): VariableScope {
    return new VariableScope(`${this.prefix}/${name}`, this.seeds, this.registry);
  }

  /** Initial weights drawn from N(0, std²) with the scope's next seed (zeros inside {@link withoutRandomInit}). */
  randomNormal(shape: number[], std: number): tf.Tensor {
    const seed = this.seeds.take();
    return skipRandomInit > 0 ? tf.zeros(shape) : tf.randomNormal(shape, 0, std, 'float32', seed);
  }

  /**
   * Creates a variable named `<prefix>/<name>` holding `initial` (which the scope takes ownership of).
   * @throws when the logical name already exists in this network.
   */
  variable(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    const path = `${this.prefix}/${name}`;
    if (this.registry.some((v) => v.path === path)) {
      initial.dispose();
      throw new Error(`variable '${path}' is defined twice in one network`);
    }
    const variable = tf.variable(initial, trainable, uniqueRegisteredName(path));
    initial.dispose();
    this.registry.push({ path, variable, trainable });
    return variable;
  }

  /** Every variable created through this scope tree, in creation order. */
  all(): readonly NamedVariable[] {
    return this.registry;
  }

  /** Disposes every variable of the tree (they are unregistered from tfjs). */
  disposeAll(): void {
    for (const v of this.registry) v.variable.dispose();
    this.registry.length = 0;
  }
}

function uniqueRegisteredName(path: string): string {
  const registered = tf.engine().registeredVariables;
  if (registered[path] == null) return path;
  for (let i = 1; ; i++) {
    const candidate = `${path}_${i}`;
    if (registered[candidate] == null) return candidate;
  }
}

/**
 * Overwrites variables from tensors keyed by logical path, checking every name and shape before
 * changing anything. The variables share the given tensors' data; the caller may dispose them.
 */
export function assignNamedWeights(
  vars: readonly NamedVariable[],
  weights: ReadonlyMap<string, tf.Tensor>,
  what: string,
): void {
  for (const v of vars) {
    const t = weights.get(v.path);
    if (t == null) throw new Error(`${what}: weight '${v.path}' is missing from the saved weights`);
    if (!tf.util.arraysEqual(t.shape, v.variable.shape)) {
      throw new Error(`${what}: weight '${v.path}' has shape [${t.shape}], expected [${v.variable.shape}]`);
    }
  }
  for (const v of vars) v.variable.assign(weights.get(v.path)!);
}
