#!/usr/bin/env python3
"""PyTorch peer of `retex bench identity`.

The re-ID loss's work on a frozen identity network: forward pass + gradient with respect to the input
image. The network is a torchvision ResNet trunk (torchvision.models.resnet.BasicBlock / Bottleneck,
torchvision's layer layout: conv7x7/2 pad 3 + BN + ReLU, max-pool 3x3/2 pad 1, layer1..layer4 with
strides 1, 2, 2, last_stride, 1x1-conv + BN projection shortcuts), at a width multiplier (every plane
count scaled and rounded as retex's core/nn/width.ts does), in eval mode (batch norm on its running
statistics), parameters frozen (requires_grad False): the same network as retex's ReidNetwork trunk.
At width 1, depth 50 it is exactly torchvision's resnet50 without avgpool/fc (checked by parameter count).

Loss (the method's re-ID loss, the same as retex's bench): images x [B,3,h,w] in [-1,1] -> [0,1] ->
bilinear resize to the network input (align_corners=False) -> ImageNet mean/std -> trunk; each of the
4 stage outputs flattened per sample, L2-normalised, MSE (mean over batch x D) against fixed target
features (the normalised features of a second random batch, computed once, untimed), summed over the
stages. One step = forward + backward to x (no parameter gradients); the whole batch at once (PyTorch has
no 4 GB heap limit).

Random weights (torchvision's default init, running mean 0 / variance 1): the timing does not depend on
the weights. Memory format: with --memory-format auto both contiguous (NCHW) and channels_last are
timed after the warm-up and the faster is reported (PyTorch's fastest reasonable setting).
Prints one JSON object on stdout.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck

DEPTHS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3])}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def scaled(base, width):
    """retex's scaledChannels: Math.max(1, Math.round(base * width)) (round half up, unlike Python's round)."""
    return max(1, int(math.floor(base * width + 0.5)))


class Trunk(nn.Module):
    """torchvision's ResNet (its _make_layer, its blocks) at a width multiplier, returning layer1..layer4."""

    def __init__(self, depth, width, last_stride):
        super().__init__()
        block, layers = DEPTHS[depth]
        self.inplanes = scaled(64, width)
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        strides = [1, 2, 2, last_stride]
        self.layer1, self.layer2, self.layer3, self.layer4 = [
            self._make_layer(block, scaled(64 * 2 ** s, width), layers[s], strides[s]) for s in range(4)
        ]
        # torchvision's initialisation.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        out = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            out.append(block(self.inplanes, planes))
        return nn.Sequential(*out)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        s1 = self.layer1(x)
        s2 = self.layer2(s1)
        s3 = self.layer3(s2)
        s4 = self.layer4(s3)
        return [s1, s2, s3, s4]


class IdentityLoss(nn.Module):
    """Preprocessing + frozen trunk + the re-ID loss against fixed normalised targets."""

    def __init__(self, trunk, input_size, memory_format):
        super().__init__()
        self.trunk = trunk
        self.input_size = tuple(input_size)
        self.memory_format = memory_format
        self.register_buffer('mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def preprocess(self, images):
        x = images
        if tuple(x.shape[2:]) != self.input_size:
            x = F.interpolate(x, size=self.input_size, mode='bilinear', align_corners=False)
        x = ((x + 1) * 0.5 - self.mean) / self.std
        return x.contiguous(memory_format=self.memory_format)

    def features(self, images):
        return [F.normalize(s.flatten(1), dim=1) for s in self.trunk(self.preprocess(images))]

    def forward(self, images, targets):
        return sum(F.mse_loss(f, t) for f, t in zip(self.features(images), targets))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--depth', type=int, default=50, choices=sorted(DEPTHS))
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--last-stride', type=int, default=1, choices=[1, 2])
    p.add_argument('--input-size', type=int, nargs=2, default=[384, 128], metavar=('H', 'W'))
    p.add_argument('--image-size', type=int, nargs=2, default=[128, 64], metavar=('H', 'W'))
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--memory-format', choices=['auto', 'contiguous', 'channels_last'], default='auto')
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    trunk = Trunk(a.depth, a.width, a.last_stride).eval()
    for q in trunk.parameters():
        q.requires_grad_(False)
    params = sum(q.numel() for q in trunk.parameters())
    if a.depth == 50 and a.width == 1.0:
        reference = torchvision.models.resnet50()
        expected = sum(q.numel() for n, q in reference.named_parameters() if not n.startswith('fc.'))
        if expected != params:
            raise SystemExit(f'trunk has {params} parameters, torchvision resnet50 without fc {expected}')
        del reference

    images = torch.rand(a.batch, 3, *a.image_size) * 2 - 1
    other = torch.rand(a.batch, 3, *a.image_size) * 2 - 1

    formats = {'contiguous': torch.contiguous_format, 'channels_last': torch.channels_last}
    candidates = list(formats) if a.memory_format == 'auto' else [a.memory_format]
    results = {}
    for name in candidates:
        fmt = formats[name]
        net = IdentityLoss(trunk.to(memory_format=fmt), a.input_size, fmt).eval()
        with torch.no_grad():
            targets = [t.detach() for t in net.features(other)]

        def step():
            x = images.clone().requires_grad_(True)
            loss = net(x, targets)
            (grad,) = torch.autograd.grad(loss, x)
            return loss.item(), float(grad.abs().sum())

        for _ in range(a.warmup):
            step()
        times = []
        loss = grad_abs = None
        for _ in range(a.steps):
            t0 = time.perf_counter()
            loss, grad_abs = step()
            times.append((time.perf_counter() - t0) * 1000)
        results[name] = {'times': times, 'loss': loss, 'grad_abs_sum': grad_abs}
        del targets, net

    best = min(results, key=lambda n: statistics.median(results[n]['times']))
    times = results[best]['times']
    json.dump({
        'torch_version': torch.__version__,
        'torchvision_version': torchvision.__version__,
        'threads': torch.get_num_threads(),
        'depth': a.depth,
        'width': a.width,
        'last_stride': a.last_stride,
        'input_size': a.input_size,
        'image_size': a.image_size,
        'batch': a.batch,
        'steps': a.steps,
        'memory_format': best,
        'ms_median_by_format': {n: statistics.median(r['times']) for n, r in results.items()},
        'ms_per_step': sum(times) / len(times),
        'ms_min': min(times),
        'ms_median': statistics.median(times),
        'params': params,
        'loss': results[best]['loss'],
        'grad_abs_sum': results[best]['grad_abs_sum'],
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
