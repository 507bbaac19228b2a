import { InvalidArgumentError } from 'commander';

/** A whole number >= 1, written in decimal (no `0x10`, no `1e3`). */
export function positiveInt(value: string): number {
  const x = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(x) && x >= 1)) throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  return x;
}

/** A whole number >= 0, written in decimal. */
export function nonNegativeInt(value: string): number {
  const x = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(x) && x >= 0)) throw new InvalidArgumentError(`expected a whole number >= 0, got '${value}'`);
  return x;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const x = Number(value);
  if (!(x > 0 && Number.isFinite(x))) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return x;
}

/** A finite number >= 0. */
export function nonNegativeNumber(value: string): number {
  const x = Number(value);
  if (!(x >= 0 && Number.isFinite(x))) throw new InvalidArgumentError(`expected a number >= 0, got '${value}'`);
  return x;
}

/** A number from 0 to 1 (a share). */
export function unitInterval(value: string): number {
  const x = value.trim() === '' ? NaN : Number(value);
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`expected a number from 0 to 1, got '${value}'`);
  return x;
}

/** `PxK` (identities x images per identity), e.g. `8x4`. */
export function parsePxK(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  const p = m ? Number(m[1]) : 0;
  const k = m ? Number(m[2]) : 0;
  if (!(p >= 1 && k >= 1 && p * k <= 1024)) {
    throw new InvalidArgumentError(`expected IDENTITIESxIMAGES such as 8x4 (at most 1024 images), got '${value}'`);
  }
  return [p, k];
}

/** `HxW` such as 128x64. */
export function parseImageSize(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected HEIGHTxWIDTH such as 128x64, got '${value}'`);
  return [Number(m[1]), Number(m[2])];
}

/** `x,y,width,height` in pixels, e.g. `120,40,200,180`. */
export function parseBox(value: string): [number, number, number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite) || !(parts[2] > 0 && parts[3] > 0)) {
    throw new InvalidArgumentError(`expected x,y,width,height in pixels (width and height > 0), e.g. 120,40,200,180, got '${value}'`);
  }
  return parts as [number, number, number, number];
}

/** One of `allowed`. */
export function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got '${value}'`);
    return value as T;
  };
}

/**
 * A comma-separated list of `allowed` values (duplicates dropped, order kept); an empty list only with
 * `allowEmpty` (e.g. `--ablations ''` for none).
 */
export function listOf<T extends string>(allowed: readonly T[], { allowEmpty = false } = {}): (value: string) => T[] {
  return (value) => {
    const items = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
    const bad = items.filter((x) => !(allowed as readonly string[]).includes(x));
    if ((items.length === 0 && !allowEmpty) || bad.length > 0) {
      const unknown = bad.length ? ` (unknown: ${bad.join(', ')})` : '';
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}, got '${value}'${unknown}`);
    }
    return items as T[];
  };
}
