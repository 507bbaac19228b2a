import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../../../core/io/half-float';
import { encodeNpy } from '../../../core/io/npy';
import { encodeNpz, parseNpzTensors } from '../../../core/io/npz';
import { encodeSafetensors, parseSafetensors, readSafetensors, writeSafetensors } from '../../../core/io/safetensors';
import { readTensorArchive } from '../../../core/io/tensor-archive';
import { modelFileErrorOf } from '../../helpers/model-file-error';

/** A hand-made file: 8-byte length, the given header text, then `data`. */
function rawFile(header: string, data: Uint8Array = new Uint8Array(0), declaredLength?: number): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}


describe('core/io/safetensors', () => {
  it('round-trips F32, F64, I64 and I32 tensors and ignores __metadata__', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a.weight', shape: [2, 3], values: [1, -2, 3.5, 0, 1e-8, -7] },
        { name: 'b', shape: [2], values: [0.1, -1e300], dtype: 'F64' },
        { name: 'bn.num_batches_tracked', shape: [], values: [123456], dtype: 'I64' },
        { name: 'c', shape: [3], values: [-5, 0, 2 ** 30], dtype: 'I32' },
      ],
      { format: 'pt' },
    );
    // The header is padded so the data section starts on an 8-byte boundary.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).to.equal(0);
    const { tensors, metadata } = parseSafetensors(bytes, 'x.safetensors');
    expect(metadata).to.deep.equal({ format: 'pt' });
    expect([...tensors.keys()]).to.deep.equal(['a.weight', 'b', 'bn.num_batches_tracked', 'c']);
    expect(tensors.get('a.weight')!.shape).to.deep.equal([2, 3]);
    expect(Array.from(tensors.get('a.weight')!.values)).to.deep.equal(Array.from(Float32Array.from([1, -2, 3.5, 0, 1e-8, -7])));
    expect(Array.from(tensors.get('b')!.values)).to.deep.equal([Math.fround(0.1), -Infinity]);
    expect(tensors.get('bn.num_batches_tracked')!.shape).to.deep.equal([]);
    expect(Array.from(tensors.get('bn.num_batches_tracked')!.values)).to.deep.equal([123456]);
    expect(Array.from(tensors.get('c')!.values)).to.deep.equal([-5, 0, 2 ** 30]);
    expect(tensors.get('c')!.dtype).to.equal('I32');
  });

  it('decodes float16 exactly, including subnormals, signed zero, infinities and NaN', () => {
    const known: Array<[number, number]> = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x0400, 2 ** -14],
      [0x3555, 0.333251953125],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    for (const [bits, value] of known) expect(float16BitsToFloat32(bits), `0x${bits.toString(16)}`).to.equal(value);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).to.equal(true);
    expect(Number.isNaN(float16BitsToFloat32(0x7e00))).to.equal(true);
    // Every finite pattern survives decode -> encode (the encoder's nearest-even rounding is exact on them).
    for (let h = 0; h < 65536; h++) {
      const exp = (h >> 10) & 0x1f;
      if (exp === 31 && (h & 0x3ff) !== 0) continue;
      const back = float32ToFloat16Bits(float16BitsToFloat32(h));
      if (back !== h) expect.fail(`float16 0x${h.toString(16)} came back as 0x${back.toString(16)}`);
    }
    // Ties go to even; overflow goes to infinity; tiny values to (signed) zero.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).to.equal(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).to.equal(0x3c02);
    expect(float32ToFloat16Bits(65520)).to.equal(0x7c00);
    expect(float32ToFloat16Bits(-(2 ** -26))).to.equal(0x8000);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).to.equal(0x0002);
  });

  it('decodes bfloat16 exactly and rounds to nearest even when encoding', () => {
    expect(bfloat16BitsToFloat32(0x3f80)).to.equal(1);
    expect(bfloat16BitsToFloat32(0x4049)).to.equal(3.140625);
    expect(bfloat16BitsToFloat32(0xc2f7)).to.equal(-123.5);
    expect(bfloat16BitsToFloat32(0x0001)).to.equal(2 ** -133);
    expect(bfloat16BitsToFloat32(0xff80)).to.equal(-Infinity);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0) continue;
      const back = float32ToBfloat16Bits(bfloat16BitsToFloat32(h));
      if (back !== h) expect.fail(`bfloat16 0x${h.toString(16)} came back as 0x${back.toString(16)}`);
    }
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).to.equal(0x3f80);
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).to.equal(0x3f82);
  });

  it('reads F16 and BF16 tensors to the exact float32 values', () => {
    const values = [1, -2, 0.333251953125, 65504, 2 ** -24, -0.5, 1025];
    const bf = [1, -123.5, 3.140625, 2 ** -126, -(2 ** 100)];
    const { tensors } = parseSafetensors(
      encodeSafetensors([
        { name: 'h', shape: [7], values, dtype: 'F16' },
        { name: 'b', shape: [5], values: bf, dtype: 'BF16' },
      ]),
      'half.safetensors',
    );
    expect(Array.from(tensors.get('h')!.values)).to.deep.equal(values);
    expect(tensors.get('h')!.dtype).to.equal('F16');
    expect(Array.from(tensors.get('b')!.values)).to.deep.equal(bf);
  });

  it('reads F32 data at an unaligned offset (copied) as well as aligned (viewed)', () => {
    // A 2-byte F16 tensor first puts the F32 tensor at an odd multiple of 2.
    const bytes = encodeSafetensors([
      { name: 'h', shape: [1], values: [1], dtype: 'F16' },
      { name: 'f', shape: [3], values: [0.25, -8, 3] },
    ]);
    expect(Array.from(parseSafetensors(bytes, 'u.safetensors').tensors.get('f')!.values)).to.deep.equal([0.25, -8, 3]);
  });

  it('names the file and says what is wrong with a malformed file', () => {
    const f = 'bad.safetensors';
    expect(modelFileErrorOf(() => parseSafetensors(new Uint8Array(4), f)).message).to.match(/bad\.safetensors.*4 bytes long, shorter than the 8-byte header length/);
    expect(modelFileErrorOf(() => parseSafetensors(rawFile('{}', new Uint8Array(0), 1e6), f)).message).to.match(
      /bad\.safetensors.*header length field says 1000000 bytes but only 2 follow/,
    );
    expect(modelFileErrorOf(() => parseSafetensors(rawFile('{"a": '), f)).message).to.match(/bad\.safetensors.*not valid JSON/);
    expect(modelFileErrorOf(() => parseSafetensors(rawFile('[1,2]'), f)).message).to.match(/not a JSON object/);
    const outOfBounds = rawFile('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', new Uint8Array(8));
    expect(modelFileErrorOf(() => parseSafetensors(outOfBounds, f)).message).to.match(
      /bad\.safetensors.*'w' has data_offsets \[0, 16\] past the end of the data section \(8 bytes\)/,
    );
    const wrongSize = rawFile('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8));
    expect(modelFileErrorOf(() => parseSafetensors(wrongSize, f)).message).to.match(/'w' spans 8 bytes but shape \[3\] of F32 needs 12/);
    const reversed = rawFile('{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', new Uint8Array(8));
    expect(modelFileErrorOf(() => parseSafetensors(reversed, f)).message).to.match(/begin is after end/);
    const badShape = rawFile('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4));
    expect(modelFileErrorOf(() => parseSafetensors(badShape, f)).message).to.match(/'w' has shape \[-1\]/);
    const overlap = rawFile(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
      new Uint8Array(12),
    );
    expect(modelFileErrorOf(() => parseSafetensors(overlap, f)).message).to.match(/'a' \[0,8\] and 'b' \[4,12\] overlap/);
    const fp8 = rawFile('{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', new Uint8Array(2));
    const err = modelFileErrorOf(() => parseSafetensors(fp8, f));
    expect(err.kind).to.equal('unsupported');
    expect(err.message).to.match(/bad\.safetensors: tensor 'w' has dtype "F8_E4M3".*supported: F64, F32, F16, BF16/);
    expect(err.file).to.equal(f);
  });

  it('writes atomically and reads back from disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-st-'));
    try {
      const file = path.join(dir, 'w.safetensors');
      await writeSafetensors(file, [{ name: 'x', shape: [2, 2], values: [1, 2, 3, 4] }]);
      expect(fs.readdirSync(dir)).to.deep.equal(['w.safetensors']);
      const { tensors } = await readSafetensors(file);
      expect(Array.from(tensors.get('x')!.values)).to.deep.equal([1, 2, 3, 4]);
      let message = '';
      await readSafetensors(path.join(dir, 'none.safetensors')).catch((e: Error) => (message = e.message));
      expect(message).to.match(/cannot read .*none\.safetensors/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('core/io/npz and tensor archives', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-npz-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the arrays of an .npz as float32 host tensors', () => {
    const bytes = encodeNpz([
      { name: 'conv1.weight', shape: [2, 1, 1, 1], values: [0.5, -1] },
      { name: 'bn1.num_batches_tracked', shape: [], values: [7], dtype: '<i8' },
      { name: 'x', shape: [3], values: [1e-3, 2, 3], dtype: '<f8' },
    ]);
    const tensors = parseNpzTensors(bytes, 'w.npz');
    expect(tensors.get('conv1.weight')!.shape).to.deep.equal([2, 1, 1, 1]);
    expect(Array.from(tensors.get('conv1.weight')!.values)).to.deep.equal([0.5, -1]);
    expect(Array.from(tensors.get('bn1.num_batches_tracked')!.values)).to.deep.equal([7]);
    expect(tensors.get('x')!.values[0]).to.equal(Math.fround(1e-3));
  });

  it('reads by content, not by extension, and refuses PyTorch pickles with the conversion command', async () => {
    const npzNamedSafetensors = path.join(dir, 'really-npz.safetensors');
    fs.writeFileSync(npzNamedSafetensors, encodeNpz([{ name: 'a', shape: [1], values: [3] }]));
    const a = await readTensorArchive(npzNamedSafetensors);
    expect(a.format).to.equal('npz');
    const stNamedNpz = path.join(dir, 'really-st.npz');
    fs.writeFileSync(stNamedNpz, encodeSafetensors([{ name: 'a', shape: [1], values: [3] }]));
    expect((await readTensorArchive(stNamedNpz)).format).to.equal('safetensors');

    const torchZip = path.join(dir, 'net.pth');
    fs.writeFileSync(torchZip, zipSync({ 'archive/data.pkl': new Uint8Array([0x80, 2, 0x7d, 0x2e]), 'archive/version': new Uint8Array([0x33]) }));
    const legacy = path.join(dir, 'old.pth.tar');
    fs.writeFileSync(legacy, new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc]));
    for (const f of [torchZip, legacy]) {
      let message = '';
      await readTensorArchive(f).catch((e: Error) => (message = e.message));
      expect(message).to.match(/is a PyTorch checkpoint.*scripts\/torch-to-safetensors\.py/);
      expect(message).to.include(f);
    }
    const text = path.join(dir, 'notes.bin');
    fs.writeFileSync(text, 'hello, this is not a checkpoint');
    let message = '';
    await readTensorArchive(text).catch((e: Error) => (message = e.message));
    expect(message).to.match(/notes\.bin is neither an \.npz \(zip\) nor a valid \.safetensors file/);
  });

  it('names the file and the array for a damaged .npz member', () => {
    const npy = encodeNpy([1, 2, 3, 4], [4]);
    const truncated = zipSync({ 'w.npy': npy.slice(0, npy.length - 4) });
    expect(() => parseNpzTensors(truncated, 'damaged.npz')).to.throw(/damaged\.npz: 'w': payload has 12 bytes .* truncated/);
    expect(() => parseNpzTensors(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), 'cut.npz')).to.throw(/cut\.npz is not a readable \.npz file/);
  });
});
