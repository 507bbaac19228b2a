/**
 * Size limits that guard retex against decompression bombs and out-of-memory crashes. Each has a default and
 * an environment variable that changes it for one shell or one command (README "Limits").
 */

/** The limits a user can change, by environment variable. */
export const LIMIT_VARIABLES = {
  imagePixels: 'RETEX_MAX_IMAGE_PIXELS',
  imageBytes: 'RETEX_MAX_IMAGE_BYTES',
  meshBytes: 'RETEX_MAX_MESH_BYTES',
} as const;
export type LimitName = keyof typeof LIMIT_VARIABLES;

const DEFAULTS: Record<LimitName, number> = {
  // 50 megapixels: a 8K photo fits; a decompression bomb does not.
  imagePixels: 50_000_000,
  // 256 MiB of encoded image.
  imageBytes: 256 * 1024 * 1024,
  // 2 GiB of OBJ text: far above any body or bird mesh, well below what a 64-bit heap takes.
  meshBytes: 2 * 1024 * 1024 * 1024,
};

/**
 * A limit's value: its environment variable when set (a positive whole number, or `Infinity`), else the default.
 * @throws naming the variable when it is set to something else
 */
export function limit(name: LimitName, env: NodeJS.ProcessEnv = process.env): number {
  const variable = LIMIT_VARIABLES[name];
  const raw = env[variable];
  if (raw == null || raw.trim() === '') return DEFAULTS[name];
  const text = raw.trim();
  if (text === 'Infinity') return Infinity;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${variable}=${JSON.stringify(raw.slice(0, 40))} is not a limit: give a positive whole number (e.g. ${DEFAULTS[name]}, the default) or Infinity`);
  }
  return Number(text);
}

/** How to raise a limit, for error messages: `set RETEX_MAX_IMAGE_PIXELS=... if you trust the file`. */
export function raiseHint(name: LimitName): string {
  return `or raise the limit with ${LIMIT_VARIABLES[name]}=<n> if you trust the file`;
}
