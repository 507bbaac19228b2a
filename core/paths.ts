import * as fs from 'fs';
import * as path from 'path';

let cachedRoot: string | undefined;

/** The retex package folder (the one with package.json), whether running from sources or from dist/. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'retex') {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find retex's package.json above ${__dirname}`);
    dir = parent;
  }
}
