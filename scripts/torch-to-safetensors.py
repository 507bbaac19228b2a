#!/usr/bin/env python3
"""Convert a PyTorch checkpoint (.pth, .pth.tar, .pt) into .safetensors or .npz for `retex import-weights`.

Runs wherever PyTorch is installed; needs only the standard library, torch and numpy (not the safetensors
package: the format is written by hand). The checkpoint may be a bare state dict, a dict wrapping one
(`{'state_dict': ...}`, `{'model': ...}`, as open-reid and torchreid save them) or a whole nn.Module;
DataParallel's `module.` prefix is removed. Non-tensor entries (epoch, accuracy, optimizer state) are
skipped and listed.

    python3 scripts/torch-to-safetensors.py net.pth.tar net.safetensors
    python3 scripts/torch-to-safetensors.py net.pth net.npz --dtype float32
    retex import-weights --format pcb-openreid --in net.safetensors --out weights/pcb

.safetensors layout: 8-byte little-endian header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}} padded with spaces to a
multiple of 8, then the raw little-endian tensor data.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

WRAPPER_KEYS = ('state_dict', 'model_state_dict', 'model', 'net', 'network')

SAFETENSORS_DTYPES = {
    torch.float64: 'F64',
    torch.float32: 'F32',
    torch.float16: 'F16',
    torch.bfloat16: 'BF16',
    torch.int64: 'I64',
    torch.int32: 'I32',
    torch.int16: 'I16',
    torch.int8: 'I8',
    torch.uint8: 'U8',
    torch.bool: 'BOOL',
}

TARGET_DTYPES = {'float32': torch.float32, 'float16': torch.float16, 'bfloat16': torch.bfloat16}


def load_checkpoint(path, unsafe):
    """torch.load on the CPU; weights_only unless --unsafe-pickle (only for files you trust)."""
    try:
        return torch.load(path, map_location='cpu', weights_only=not unsafe)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location='cpu')
    except Exception as err:  # noqa: BLE001 - torch raises UnpicklingError and RuntimeError here
        if unsafe:
            raise
        sys.exit(
            f'{path}: cannot load it with weights_only=True ({str(err).splitlines()[0]}).\n'
            'If you trust the file (it may run code when unpickled), re-run with --unsafe-pickle.'
        )


def find_state_dict(obj, path):
    """The tensor dictionary inside a checkpoint."""
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if not isinstance(obj, dict):
        sys.exit(f'{path}: holds a {type(obj).__name__}, not a state dict or a dict wrapping one')
    for key in WRAPPER_KEYS:
        inner = obj.get(key)
        if isinstance(inner, torch.nn.Module):
            return inner.state_dict()
        if isinstance(inner, dict) and any(torch.is_tensor(v) for v in inner.values()):
            print(f"unwrapped checkpoint['{key}'] (other entries: {', '.join(str(k) for k in obj if k != key) or 'none'})")
            return inner
    return obj


def clean_state_dict(state, path):
    """Tensors only, `module.` prefixes removed, contiguous and on the CPU."""
    out = {}
    skipped = []
    for name, value in state.items():
        if not torch.is_tensor(value):
            skipped.append(str(name))
            continue
        out[str(name)] = value.detach().cpu().contiguous()
    if skipped:
        print(f"skipped {len(skipped)} non-tensor entries: {', '.join(skipped[:10])}{' ...' if len(skipped) > 10 else ''}")
    if not out:
        sys.exit(f'{path}: no tensors found')
    if all(k.startswith('module.') for k in out):
        out = {k[len('module.'):]: v for k, v in out.items()}
        print("removed DataParallel's 'module.' prefix")
    return out


def convert_dtype(state, dtype):
    """Casts floating tensors to `dtype` (None keeps them); integer tensors are kept."""
    if dtype is None:
        return state
    return {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in state.items()}


def tensor_bytes(t):
    """Raw little-endian bytes of a contiguous CPU tensor."""
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        arr = t.view(torch.int16).numpy()
    else:
        arr = t.numpy()
    if arr.dtype.byteorder == '>' or (arr.dtype.byteorder == '=' and sys.byteorder == 'big'):
        arr = arr.byteswap().view(arr.dtype.newbyteorder('<'))
    return arr.tobytes(order='C')


def write_safetensors(path, state, metadata=None):
    """Writes tensors as .safetensors (header JSON padded with spaces to 8 bytes), atomically."""
    header = {}
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(state):
        t = state[name]
        if t.dtype not in SAFETENSORS_DTYPES:
            sys.exit(f"tensor '{name}' has dtype {t.dtype}, which .safetensors cannot hold")
        data = tensor_bytes(t)
        header[name] = {'dtype': SAFETENSORS_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def write_npz(path, state):
    """Writes tensors as an uncompressed .npz; float16/bfloat16 become float32 (retex's .npy reader wants
    float32/64 or int32/64)."""
    arrays = {}
    for name, t in state.items():
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.float()
        arrays[name] = t.numpy().astype(t.numpy().dtype.newbyteorder('<'), copy=False)
    tmp = f'{path}.tmp{os.getpid()}.npz'
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('input', help='.pth / .pth.tar / .pt checkpoint')
    parser.add_argument('output', help='.safetensors or .npz (the extension picks the format)')
    parser.add_argument('--dtype', choices=['keep', *TARGET_DTYPES], default='keep',
                        help='cast floating tensors (default: keep what the checkpoint holds)')
    parser.add_argument('--unsafe-pickle', action='store_true',
                        help='load with weights_only=False (runs pickled code: only for files you trust)')
    args = parser.parse_args(argv)

    ext = os.path.splitext(args.output)[1].lower()
    if ext not in ('.safetensors', '.npz'):
        sys.exit(f'output must end in .safetensors or .npz, got {args.output}')
    if os.path.abspath(args.output) == os.path.abspath(args.input):
        sys.exit('output would overwrite the input')
    state = clean_state_dict(find_state_dict(load_checkpoint(args.input, args.unsafe_pickle), args.input), args.input)
    state = convert_dtype(state, TARGET_DTYPES.get(args.dtype))
    if ext == '.safetensors':
        write_safetensors(args.output, state, {'format': 'pt', 'source': os.path.basename(args.input)})
    else:
        write_npz(args.output, state)
    count = sum(t.numel() for t in state.values())
    dtypes = sorted({str(t.dtype).replace('torch.', '') for t in state.values()})
    if ext == '.npz' and any(t.dtype in (torch.float16, torch.bfloat16) for t in state.values()):
        dtypes = sorted({'float32' if d in ('float16', 'bfloat16') else d for d in dtypes})
        print('float16/bfloat16 tensors are stored as float32 in .npz (use .safetensors to keep 16 bits)')
    print(f"wrote {args.output}: {len(state)} tensors, {count:,} values ({', '.join(dtypes)})")


if __name__ == '__main__':
    main()
