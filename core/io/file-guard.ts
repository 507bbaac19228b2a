import * as fs from 'fs';
import * as path from 'path';

/** What went wrong with a path the user or a data file named. */
export type FileProblem =
  | 'outside-root'
  | 'not-found'
  | 'is-directory'
  | 'not-directory'
  | 'no-permission'
  | 'read-only'
  | 'disk-full'
  | 'overwrites-input'
  | 'not-owned'
  | 'too-large'
  | 'other';

/**
 * A problem with a file or folder, worded for the user: which path, what is wrong with it, what to do.
 * Messages never quote a file's content.
 */
export class FileError extends Error {
  override readonly name = 'FileError';

  constructor(
    readonly problem: FileProblem,
    message: string,
    /** The path concerned. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function isInside(base: string, candidate: string): boolean {
  const rel = path.relative(base, candidate);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (for files not made yet). */
export function realPathLoose(p: string): string {
  const full = path.resolve(p);
  let head = full;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return full;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/**
 * Resolves `relative` (a path a data set, config or run folder names) inside `root`, symlinks included.
 * Absolute paths, `..` escapes and symlinks that lead out of `root` are refused.
 * @param what names the path's role in the message (e.g. "image of images.txt line 3")
 * @throws FileError('outside-root')
 */
export function resolveInside(root: string, relative: string, what: string): string {
  if (typeof relative !== 'string' || relative === '' || relative.includes('\0')) {
    throw new FileError('outside-root', `${what}: ${JSON.stringify(String(relative).slice(0, 80))} is not a usable relative path inside ${root}`, root);
  }
  const base = realPathLoose(root);
  const full = path.resolve(base, relative);
  const real = realPathLoose(full);
  if (path.isAbsolute(relative) || !isInside(base, full) || !isInside(base, real)) {
    throw new FileError(
      'outside-root',
      `${what} '${relative.length > 120 ? `${relative.slice(0, 117)}...` : relative}' points outside ${root}: refusing to read it ` +
        '(paths in a data set, config or run folder must stay inside it; copy the file in instead)',
      full,
    );
  }
  return real;
}

/**
 * Turns a Node file-system error into a message that names the path, says what was wrong and what to do.
 * @param action what was being done, e.g. "write", "read", "create the folder for"
 */
export function describeFsError(err: unknown, file: string, action: string): FileError {
  if (err instanceof FileError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  const map: Record<string, [FileProblem, string]> = {
    ENOENT: ['not-found', 'it (or a folder on its path) does not exist: check the path'],
    EISDIR: ['is-directory', 'it is a folder: give a file path'],
    ENOTDIR: ['not-directory', 'a part of its path is a file, not a folder: check the path'],
    EACCES: ['no-permission', 'no permission: choose a path you can access'],
    EPERM: ['no-permission', 'the operation is not permitted there: choose another path'],
    EROFS: ['read-only', 'the file system is read-only: choose a writable location'],
    ENOSPC: ['disk-full', 'the disk is full: free space or choose another location'],
    EDQUOT: ['disk-full', 'the disk quota is exhausted: free space or choose another location'],
    ENAMETOOLONG: ['other', 'the path is too long: choose a shorter one'],
    ELOOP: ['other', 'it is a symlink loop: fix the link'],
    EMFILE: ['other', 'too many open files: raise the open-file limit (ulimit -n)'],
  };
  const [problem, hint] = (code && map[code]) || ['other', (e?.message ?? String(err)).replace(/^[A-Z]+: /, '')];
  return new FileError(problem, `cannot ${action} ${file}: ${hint}`, file, { cause: err });
}

function sameFile(a: fs.Stats, b: fs.Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** One file a command is about to write. */
export interface PlannedOutput {
  readonly file: string;
  /**
   * When the file already exists, whether the command may replace it: the file the user named is always
   * the command's; siblings it derives (an OBJ's .mtl and .png) only when it recognises them as its own.
   */
  readonly mayReplace?: (existing: string) => boolean;
  /** For the message when {@link mayReplace} refuses. */
  readonly ownerHint?: string;
}

/**
 * Checks, before any work or write, that the outputs can be written without harming anything: none is
 * one of the command's inputs (same path, hard link or symlink), none is a folder, each parent is a folder
 * (or can be made) and writable, and existing files are replaced only when the command owns them.
 * @throws FileError naming the path and what to do
 */
export function checkOutputs(outputs: readonly PlannedOutput[], inputs: readonly string[], flag = '--out'): void {
  const inputStats = inputs.map((i) => ({ file: i, stat: statOrNull(i), real: realPathLoose(i) }));
  const seen = new Map<string, string>();
  for (const o of outputs) {
    const real = realPathLoose(o.file);
    const other = seen.get(real);
    if (other !== undefined) throw new FileError('overwrites-input', `${flag}: ${o.file} and ${other} are the same file`, o.file);
    seen.set(real, o.file);
    const stat = statOrNull(o.file);
    for (const input of inputStats) {
      if (real === input.real || (stat && input.stat && sameFile(stat, input.stat))) {
        throw new FileError(
          'overwrites-input',
          `${flag} would write ${o.file}, which is the input ${input.file}: retex never writes over its own inputs; choose another output name`,
          o.file,
        );
      }
    }
    if (stat?.isDirectory()) throw new FileError('is-directory', `${flag}: ${o.file} is a folder: give a file path inside it instead`, o.file);
    if (stat && !stat.isFile()) throw new FileError('other', `${flag}: ${o.file} exists and is not a regular file: choose another output path`, o.file);
    if (stat && o.mayReplace && !o.mayReplace(o.file)) {
      throw new FileError(
        'not-owned',
        `${o.file} exists and was not written by retex${o.ownerHint ? ` ${o.ownerHint}` : ''}: it would be replaced; move it away or choose another ${flag} name`,
        o.file,
      );
    }
    checkParent(path.dirname(path.resolve(o.file)), o.file, flag);
  }
}

/** The nearest existing ancestor must be a writable folder. */
function checkParent(dir: string, file: string, flag: string): void {
  let d = dir;
  for (;;) {
    const s = statOrNull(d);
    if (s) {
      if (!s.isDirectory()) throw new FileError('not-directory', `${flag}: cannot write ${file}: ${d} is a file, not a folder`, file);
      try {
        fs.accessSync(d, fs.constants.W_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new FileError(
          code === 'EROFS' ? 'read-only' : 'no-permission',
          `${flag}: cannot write ${file}: the folder ${d} is ${code === 'EROFS' ? 'on a read-only file system' : 'not writable'}; choose a writable location`,
          file,
        );
      }
      return;
    }
    const parent = path.dirname(d);
    if (parent === d) return;
    d = parent;
  }
}

/**
 * `mkdir -p` one level at a time. Node's recursive mkdir can spin forever where a level cannot be made
 * (e.g. under /proc or some read-only mounts that answer ENOENT); this fails with the level's error instead.
 */
export function makeFoldersSync(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    const s = statOrNull(d);
    if (s) {
      if (!s.isDirectory()) {
        const err = new Error(`ENOTDIR: not a directory, mkdir '${d}'`) as NodeJS.ErrnoException;
        err.code = 'ENOTDIR';
        throw err;
      }
      break;
    }
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Where a JSON.parse failure is, without the excerpt of the text that V8's messages quote
 * (`Unexpected token 'x', "secret..." is not valid JSON`): "at position N", "(it ends early)" or "".
 */
export function jsonErrorWhere(err: unknown): string {
  const msg = String((err as Error)?.message ?? '');
  const pos = /position (\d+)/.exec(msg);
  if (pos) return `at position ${pos[1]}`;
  if (/end of (JSON )?input|Unterminated/i.test(msg)) return '(it ends early)';
  return '';
}
