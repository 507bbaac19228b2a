import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic, writeFileAtomicSync } from '../../../core/io/atomic-write';

describe('core/io/atomic-write', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes bytes and strings, creating parent directories, leaving no temp file', async () => {
    const target = path.join(dir, 'a', 'b', 'out.bin');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3, 250]));
    expect([...fs.readFileSync(target)]).to.deep.equal([1, 2, 3, 250]);
    await writeFileAtomic(target, 'replaced');
    expect(fs.readFileSync(target, 'utf8')).to.equal('replaced');
    writeFileAtomicSync(path.join(dir, 'c', 'sync.txt'), 'sync');
    expect(fs.readFileSync(path.join(dir, 'c', 'sync.txt'), 'utf8')).to.equal('sync');
    expect(fs.readdirSync(path.join(dir, 'a', 'b'))).to.deep.equal(['out.bin']);
  });

  it('fails naming the target and removes its temp file when the rename cannot happen', async () => {
    const target = path.join(dir, 'is-a-dir');
    fs.mkdirSync(path.join(target, 'child'), { recursive: true });
    let message = '';
    try {
      await writeFileAtomic(target, 'x');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.contain(target);
    expect(() => writeFileAtomicSync(target, 'x')).to.throw(target);
    expect(fs.readdirSync(dir)).to.deep.equal(['is-a-dir']);
  });
});
