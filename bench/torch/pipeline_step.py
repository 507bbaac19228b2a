#!/usr/bin/env python3
"""PyTorch peer of `retex bench train-step --pipeline`: the method's whole training step.

One step, as the authors' code runs it (and as `retex train` does):
  photos [B,3,H,W] in [-1,1] -> U-Net (train mode) -> texture [B,3,Th,Tw]
     (with --generator-input projection, as retex's shipped generators: the U-Net reads the photo already
     projected into the texture, [B,3,Th,Tw] from --generator-images, and outputs tanh(atanh(it) + U-Net))
  -> render: torch.sparse.mm with a fixed sparse matrix [B*H*W, B*Th*Tw] (one nonzero per covered pixel and
     tap: the authors' render tensor, block-diagonal over the batch) applied to the texels [B*Th*Tw, 3]
  -> composite over the backgrounds (rendering * mask + background * (1 - mask))
  -> frozen PCB trunk (eval mode, requires_grad False; gradients flow through it to the rendering)
  -> re-ID loss: each of the 4 stage outputs flattened, L2-normalised, MSE against the photos' features
     (computed once, untimed: retex caches them too), summed, x 5000
  -> backward -> Adam (lr 1e-4, weight decay 1e-5) on the U-Net's parameters only.

The U-Net is bench/torch/train_step.py's (retex's core/nn/unet.ts layout), the PCB trunk
bench/torch/identity_forward.py's (torchvision's ResNet blocks at a width multiplier, last stride 1). The
photos, backgrounds and render taps are the very arrays retex's run uses (raw files written by retex).
Weights are random (seeded): the time of a step does not depend on them. With --memory-format auto the
step is timed in contiguous (NCHW) and channels_last memory and the faster is reported. With --stages the
step's parts are also timed alone in that format (as retex's --profile does): `unet` forward + weight
gradients, `render` sparse render + composite forward and backward, `identity` the frozen PCB's forward +
input gradient of the re-ID loss. Prints one JSON object on stdout.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from identity_forward import IdentityLoss, Trunk
from train_step import UNet


def load(path, dtype, shape):
    data = np.fromfile(path, dtype=dtype)
    expected = int(np.prod(shape))
    if data.size != expected:
        raise SystemExit(f'{path}: {data.size} values, expected {expected} for shape {shape}')
    return data.reshape(shape)


def render_matrix(taps, weights, b, h, w, k, th, tw):
    """The batch's render tensor: sparse COO [B*H*W, B*Th*Tw], row = (sample, pixel), column = (sample, texel)."""
    sample, entry = np.nonzero(taps >= 0)
    rows = sample * (h * w) + entry // k
    cols = sample * (th * tw) + taps[sample, entry]
    index = torch.from_numpy(np.stack([rows, cols]).astype(np.int64))
    values = torch.from_numpy(weights[sample, entry].astype(np.float32))
    return torch.sparse_coo_tensor(index, values, (b * h * w, b * th * tw)).coalesce()


def median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def time_stages(unet, net, matrix, reads, backgrounds, mask, targets, fmt, a, runs):
    """The step's parts alone, with linear surrogate losses where the step's loss is elsewhere."""
    b, (h, w), (th, tw) = a.batch, a.image_size, a.texture
    gen = torch.Generator().manual_seed(7)
    probe = (torch.rand(b, 3, th, tw, generator=gen) * 2 - 1).contiguous(memory_format=fmt)
    image_probe = (torch.rand(b, 3, h, w, generator=gen) * 2 - 1).contiguous(memory_format=fmt)

    def unet_part():
        for q in unet.parameters():
            q.grad = None
        (unet(reads) * probe).sum().backward()

    def render_part():
        texture = probe.detach().clone().requires_grad_(True)
        texels = texture.permute(0, 2, 3, 1).reshape(b * th * tw, 3)
        rendering = torch.sparse.mm(matrix, texels).view(b, h, w, 3).permute(0, 3, 1, 2).contiguous(memory_format=fmt)
        ((rendering * mask + backgrounds * (1 - mask)) * image_probe).sum().backward()

    def identity_part():
        x = image_probe.detach().clone().requires_grad_(True)
        loss = a.reid_weight * sum(F.mse_loss(f, t) for f, t in zip(net.features(x), targets))
        loss.backward()

    return {name: median_ms(fn, runs) for name, fn in (('unet', unet_part), ('render', render_part), ('identity', identity_part))}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--image-size', type=int, nargs=2, default=[128, 64], metavar=('H', 'W'))
    p.add_argument('--texture', type=int, nargs=2, default=[64, 64], metavar=('TH', 'TW'))
    p.add_argument('--unet-width', type=float, default=0.25)
    p.add_argument('--generator-input', choices=['photo', 'projection'], default='photo')
    p.add_argument('--generator-images', help='float32 [B,Th,Tw,3] in [-1,1]: what a projection U-Net reads')
    p.add_argument('--taps-per-pixel', type=int, default=1, choices=[1, 4])
    p.add_argument('--reid-depth', type=int, default=18)
    p.add_argument('--reid-width', type=float, default=0.25)
    p.add_argument('--reid-last-stride', type=int, default=1, choices=[1, 2])
    p.add_argument('--reid-input', type=int, nargs=2, default=[128, 64], metavar=('H', 'W'))
    p.add_argument('--reid-weight', type=float, default=5000.0)
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--weight-decay', type=float, default=1e-5)
    p.add_argument('--memory-format', choices=['auto', 'contiguous', 'channels_last'], default='auto')
    p.add_argument('--images', required=True, help='float32 [B,H,W,3] in [-1,1]')
    p.add_argument('--backgrounds', required=True, help='float32 [B,H,W,3] in [-1,1]')
    p.add_argument('--taps', required=True, help='int32 [B,H*W*K], -1 = not covered')
    p.add_argument('--tap-weights', required=True, help='float32 [B,H*W*K]')
    p.add_argument('--stages', action='store_true', help='also time the parts of the step alone')
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    b, (h, w), (th, tw), k = a.batch, a.image_size, a.texture, a.taps_per_pixel
    images_nhwc = load(a.images, '<f4', (b, h, w, 3))
    projection = a.generator_input == 'projection'
    if projection and not a.generator_images:
        raise SystemExit('--generator-input projection needs --generator-images')
    reads_nchw = (torch.from_numpy(load(a.generator_images, '<f4', (b, th, tw, 3))).permute(0, 3, 1, 2).contiguous()
                  if projection else None)
    backgrounds_nhwc = load(a.backgrounds, '<f4', (b, h, w, 3))
    taps = load(a.taps, '<i4', (b, h * w * k))
    weights = load(a.tap_weights, '<f4', (b, h * w * k))
    if taps.max() >= th * tw:
        raise SystemExit(f'render taps read texel {taps.max()}, outside the {th}x{tw} texture')
    matrix = render_matrix(taps, weights, b, h, w, k, th, tw)
    covered = taps.reshape(b, h * w, k)[:, :, 0] >= 0
    mask_nchw = torch.from_numpy(covered.astype(np.float32)).view(b, 1, h, w)
    images_nchw = torch.from_numpy(images_nhwc).permute(0, 3, 1, 2).contiguous()
    backgrounds_nchw = torch.from_numpy(backgrounds_nhwc).permute(0, 3, 1, 2).contiguous()

    formats = {'contiguous': torch.contiguous_format, 'channels_last': torch.channels_last}
    candidates = list(formats) if a.memory_format == 'auto' else [a.memory_format]
    results = {}
    params = trunk_params = None
    for name in candidates:
        fmt = formats[name]
        torch.manual_seed(0)
        unet = UNet(a.unet_width, (th, tw), projection).to(memory_format=fmt).train()
        trunk = Trunk(a.reid_depth, a.reid_width, a.reid_last_stride).eval()
        for q in trunk.parameters():
            q.requires_grad_(False)
        net = IdentityLoss(trunk.to(memory_format=fmt), a.reid_input, fmt).eval()
        params = sum(q.numel() for q in unet.parameters())
        trunk_params = sum(q.numel() for q in trunk.parameters())
        opt = torch.optim.Adam(unet.parameters(), lr=a.lr, weight_decay=a.weight_decay)
        images = images_nchw.contiguous(memory_format=fmt)
        reads = reads_nchw.contiguous(memory_format=fmt) if projection else images
        backgrounds = backgrounds_nchw.contiguous(memory_format=fmt)
        mask = mask_nchw.contiguous(memory_format=fmt)
        with torch.no_grad():
            targets = [t.detach() for t in net.features(images)]

        def step():
            opt.zero_grad(set_to_none=True)
            texture = unet(reads)
            texels = texture.permute(0, 2, 3, 1).reshape(b * th * tw, 3)
            rendering = torch.sparse.mm(matrix, texels).view(b, h, w, 3).permute(0, 3, 1, 2).contiguous(memory_format=fmt)
            composited = rendering * mask + backgrounds * (1 - mask)
            loss = a.reid_weight * sum(F.mse_loss(f, t) for f, t in zip(net.features(composited), targets))
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(a.warmup):
            step()
        times = []
        loss = None
        for _ in range(a.steps):
            t0 = time.perf_counter()
            loss = step()
            times.append((time.perf_counter() - t0) * 1000)
        results[name] = {'times': times, 'loss': loss}
        if a.stages:
            results[name]['stages'] = time_stages(unet, net, matrix, reads, backgrounds, mask, targets, fmt, a, max(3, a.steps))
        del unet, trunk, net, opt, targets

    best = min(results, key=lambda n: statistics.median(results[n]['times']))
    times = results[best]['times']
    json.dump({
        'torch_version': torch.__version__,
        'threads': torch.get_num_threads(),
        'batch': b,
        'steps': a.steps,
        'memory_format': best,
        'ms_median_by_format': {n: statistics.median(r['times']) for n, r in results.items()},
        'ms_per_step': sum(times) / len(times),
        'ms_min': min(times),
        'ms_median': statistics.median(times),
        'params': params,
        'trunk_params': trunk_params,
        'render_nonzeros': int(matrix._nnz()),
        'covered_pixels': float(covered.sum()) / b,
        'loss': results[best]['loss'],
        **({'stages_ms': results[best]['stages']} if a.stages else {}),
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
