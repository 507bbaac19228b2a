#!/usr/bin/env python3
"""PyTorch peer of `retex bench train-step`.

Builds the same networks as retex's core/nn (U-Net of the paper's shape and the small ResNet
classifier, same channel counts, kernel sizes, strides, batch norms, bilinear align-corners
resizes), the same loss (softmax cross-entropy of the classifier on the U-Net's texture) and Adam
(lr 1e-4), then times N training steps after a warm-up on `torch.set_num_threads(threads)` threads.
Prints one JSON object on stdout.

Only difference in layout: tfjs 'same' padding for stride-2 3x3 convs pads (0, 1) where PyTorch's
padding=1 pads (1, 1); shapes and FLOPs are identical.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def scaled(base, width):
    return max(1, round(base * width))


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(x)))


class UNet(nn.Module):
    def __init__(self, width, texture_size, projection=False):
        super().__init__()
        ch = [scaled(c, width) for c in (64, 128, 256, 512, 512)]
        self.texture_size = texture_size
        # projection: the input is a texture (the photo projected into it) and the output is that input plus
        # a learnt correction, tanh(atanh(input) + out), with `out` starting at zero (retex's input: 'projection')
        self.projection = projection
        self.down = nn.ModuleList([DoubleConv(3, ch[0])] + [DoubleConv(ch[i - 1], ch[i]) for i in range(1, 5)])
        up_out = [ch[2], ch[1], ch[0], ch[0]]
        carried = ch[4]
        ups = []
        for i in range(4):
            ups.append(DoubleConv(carried + ch[3 - i], up_out[i]))
            carried = up_out[i]
        self.up = nn.ModuleList(ups)
        self.out = nn.Conv2d(carried, 3, 1, bias=True)
        if projection:
            nn.init.zeros_(self.out.weight)

    def forward(self, x):
        source = x
        skips = []
        for i, block in enumerate(self.down):
            if i > 0:
                x = F.max_pool2d(x, 2, 2)
            x = block(x)
            skips.append(x)
        for i, block in enumerate(self.up):
            skip = skips[3 - i]
            x = F.interpolate(x, size=skip.shape[2:], mode='bilinear', align_corners=True)
            x = block(torch.cat([x, skip], 1))
        x = self.out(x)
        x = torch.tanh(x + torch.atanh(source.clamp(-0.999, 0.999))) if self.projection else torch.tanh(x)
        if tuple(x.shape[2:]) != tuple(self.texture_size):
            x = F.interpolate(x, size=self.texture_size, mode='bilinear', align_corners=True)
        return x


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(h + s)


class ResNetClassifier(nn.Module):
    def __init__(self, width, num_classes, input_size, blocks_per_stage):
        super().__init__()
        ch = [scaled(c, width) for c in (64, 128, 256, 512)]
        self.input_size = input_size
        self.stem_conv = nn.Conv2d(3, ch[0], 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(ch[0])
        blocks = []
        cin = ch[0]
        for s in range(4):
            for b in range(blocks_per_stage):
                blocks.append(ResidualBlock(cin, ch[s], 2 if s > 0 and b == 0 else 1))
                cin = ch[s]
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x):
        if tuple(x.shape[2:]) != tuple(self.input_size):
            x = F.interpolate(x, size=self.input_size, mode='bilinear', align_corners=True)
        x = F.relu(self.stem_bn(self.stem_conv(x)))
        x = self.blocks(x)
        return self.head(x.mean(dim=(2, 3)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--width', type=float, default=0.25)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--height', type=int, default=128)
    p.add_argument('--image-width', type=int, default=64)
    p.add_argument('--texture', type=int, nargs=2, default=[64, 64])
    p.add_argument('--classifier-width', type=float, default=None)
    p.add_argument('--classes', type=int, default=751)
    p.add_argument('--classifier-input', type=int, nargs=2, default=[64, 64])
    p.add_argument('--blocks-per-stage', type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cw = a.width if a.classifier_width is None else a.classifier_width
    unet = UNet(a.width, tuple(a.texture))
    clf = ResNetClassifier(cw, a.classes, tuple(a.classifier_input), a.blocks_per_stage)
    unet.train()
    clf.train()
    params = list(unet.parameters()) + list(clf.parameters())
    opt = torch.optim.Adam(params, lr=1e-4)
    images = torch.rand(a.batch, 3, a.height, a.image_width) * 2 - 1
    labels = torch.randint(0, a.classes, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(clf(unet(images)), labels)
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
    json.dump({
        'torch_version': torch.__version__,
        'threads': torch.get_num_threads(),
        'width': a.width,
        'batch': a.batch,
        'steps': a.steps,
        'ms_per_step': sum(times) / len(times),
        'ms_min': min(times),
        'ms_median': statistics.median(times),
        'params': sum(t.numel() for t in params),
        'loss': loss,
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
