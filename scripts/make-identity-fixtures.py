#!/usr/bin/python3
"""Parity fixtures for `retex import-weights` (spec/core/nn/torch-import.spec.ts).

Run with Debian's Python and its PyTorch (`apt-get install python3-torch python3-torchvision`):

    /usr/bin/python3 scripts/make-identity-fixtures.py [--out spec/fixtures/identity]

For each PyTorch layout retex imports, builds the layout's module tree from torchvision's own ResNet
class and Bottleneck/BasicBlock blocks, so every state-dict name is exactly the layout's, but with narrow
channels (conv1 has `base` outputs instead of 64; retex reads the width from it) to keep the files small.
Weights, biases and batch-norm running statistics are random (eval-mode batch norm is exercised); the
network runs in eval mode, in float64, on a fixed random input.

Each checkpoint is saved the way users have it (bare state dict, `{'state_dict': ...}` wrapper,
DataParallel's `module.` prefix) and converted by scripts/torch-to-safetensors.py, the converter users
run, so that script is exercised too. Written per fixture:
  <name>.safetensors | <name>.npz   the converted weights
  <name>.expected.safetensors       input (NHWC, [-1,1], float16-exact values stored as F16),
                                    layer1..layer4 (NCHW -> NHWC, float32), logits [P,B,N]
and manifest.json describing them (layout, sizes, dimensions, torch's own float32-vs-float64 error).
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

HERE = os.path.dirname(os.path.abspath(__file__))
CONVERTER = os.path.join(HERE, 'torch-to-safetensors.py')
_spec = importlib.util.spec_from_file_location('torch_to_safetensors', CONVERTER)
converter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(converter)

MEAN = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1)


class NarrowResNet(ResNet):
    """torchvision's ResNet with `base` stem channels and stage planes base, 2base, 4base, 8base (64 and
    64-128-256-512 in torchvision). Same module names, same _make_layer, same blocks."""

    def __init__(self, block, layers, base, num_classes=10):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = base
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, base, layers[0])
        self.layer2 = self._make_layer(block, base * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, base * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, base * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(base * 8 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')

    def stages(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        out = []
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = layer(x)
            out.append(x)
        return out


def last_stride_one(resnet):
    """PCB's change: layer4 keeps the resolution (layumi sets these two strides; open-reid sets every conv
    of layer4[0] to stride 1, which is the same thing)."""
    resnet.layer4[0].conv2.stride = (1, 1)
    resnet.layer4[0].downsample[0].stride = (1, 1)


class ClassBlock(nn.Module):
    """layumi's ClassBlock(input_dim, class_num, droprate=0.5, relu=False, bnorm=True, num_bottleneck)."""

    def __init__(self, input_dim, class_num, num_bottleneck):
        super().__init__()
        self.add_block = nn.Sequential(nn.Linear(input_dim, num_bottleneck), nn.BatchNorm1d(num_bottleneck), nn.Dropout(p=0.5))
        self.classifier = nn.Sequential(nn.Linear(num_bottleneck, class_num))

    def forward(self, x):
        return self.classifier(self.add_block(x))


class LayumiPCB(nn.Module):
    """layumi/Person_reID_baseline_pytorch model.py PCB: `model` = ResNet-50, AdaptiveAvgPool2d((6,1))."""

    def __init__(self, base, class_num, local_dim, parts=6):
        super().__init__()
        self.part = parts
        self.model = NarrowResNet(Bottleneck, [3, 4, 6, 3], base)
        last_stride_one(self.model)
        self.avgpool = nn.AdaptiveAvgPool2d((parts, 1))
        self.dropout = nn.Dropout(p=0.5)
        for i in range(parts):
            setattr(self, f'classifier{i}', ClassBlock(base * 32, class_num, local_dim))

    def forward(self, x):
        stages = self.model.stages(x)
        p = self.dropout(self.avgpool(stages[3]))
        logits = [getattr(self, f'classifier{i}')(p[:, :, i, 0]) for i in range(self.part)]
        return stages, logits


class OpenReidPCB(nn.Module):
    """syfafterzy/PCB_RPP_for_reID reid/models/resnet.py with FCN=True: `base` = ResNet-50, local_conv
    (1x1, no bias), feat_bn2d, ReLU, instance0..5; stripes pooled with its avg_pool2d formula."""

    def __init__(self, base, class_num, local_dim):
        super().__init__()
        self.base = NarrowResNet(Bottleneck, [3, 4, 6, 3], base)
        for m in self.base.layer4[0].modules():
            if isinstance(m, nn.Conv2d):
                m.stride = (1, 1)
        self.local_conv = nn.Conv2d(base * 32, local_dim, kernel_size=1, padding=0, bias=False)
        self.feat_bn2d = nn.BatchNorm2d(local_dim)
        for i in range(6):
            setattr(self, f'instance{i}', nn.Linear(local_dim, class_num))
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        stages = self.base.stages(x)
        x = stages[3]
        sx = x.size(2) // 6
        kx = x.size(2) - sx * 5
        x = F.avg_pool2d(x, kernel_size=(kx, x.size(3)), stride=(sx, x.size(3)))
        x = F.relu(self.feat_bn2d(self.local_conv(self.drop(x))))
        parts = x.chunk(6, 2)
        logits = [getattr(self, f'instance{i}')(parts[i].contiguous().view(parts[i].size(0), -1)) for i in range(6)]
        return stages, logits


class TorchreidResNet(NarrowResNet):
    """torchreid's ResNet (fc_dims=None, last_stride=2): torchvision names, no fc, `classifier`."""

    def __init__(self, block, layers, base, class_num):
        super().__init__(block, layers, base)
        del self.fc
        self.global_avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(base * 8 * block.expansion, class_num)

    def forward(self, x):
        stages = self.stages(x)
        v = self.global_avgpool(stages[3]).view(x.size(0), -1)
        return stages, [self.classifier(v)]


def randomise(net, gen):
    """Random weights and batch-norm statistics, so eval-mode batch norm is not an identity."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
                m.num_batches_tracked.fill_(1234)
            elif isinstance(m, nn.Linear):
                bound = 1 / m.in_features ** 0.5
                m.weight.copy_((torch.rand(m.weight.shape, generator=gen) * 2 - 1) * bound * 3 ** 0.5)
                m.bias.copy_(torch.randn(m.out_features, generator=gen) * 0.1)
    net.eval()
    return net


def round_float_tensors(net, dtype):
    """Makes every float parameter/buffer exactly representable in `dtype` (for 16-bit fixtures)."""
    with torch.no_grad():
        for t in list(net.parameters()) + list(net.buffers()):
            if t.is_floating_point():
                t.copy_(t.to(dtype).float())


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def run(net, x_nchw):
    """Reference outputs in float64 (the truth), and the max error of torch's own float32 run against it."""
    xn = ((x_nchw.double() + 1) / 2 - MEAN) / STD
    with torch.no_grad():
        ref_stages, ref_logits = net.double()(xn)
        f32_stages, f32_logits = net.float()(xn.float())
    floor = [float((a.double() - b).abs().max() / b.abs().max()) for a, b in zip(f32_stages, ref_stages)]
    return ref_stages, ref_logits, floor


FIXTURES = [
    # name, layout, builder, input [B,H,W], how the checkpoint is saved, output file, converter dtype
    dict(name='pcb-layumi', layout='pcb-layumi', input=[2, 128, 64], save='bare', out='safetensors', dtype='keep',
         build=lambda: LayumiPCB(base=4, class_num=10, local_dim=16),
         dims=dict(depth=50, width=4 / 64, stripes=6, localDim=16, numClasses=10)),
    dict(name='pcb-openreid', layout='pcb-openreid', input=[1, 192, 64], save='wrapped-dataparallel', out='safetensors', dtype='keep',
         build=lambda: OpenReidPCB(base=4, class_num=12, local_dim=16),
         dims=dict(depth=50, width=4 / 64, stripes=6, localDim=16, numClasses=12)),
    dict(name='torchreid-resnet50', layout='torchreid-resnet50', input=[2, 128, 64], save='wrapped', out='npz', dtype='keep',
         build=lambda: TorchreidResNet(Bottleneck, [3, 4, 6, 3], base=4, class_num=9),
         dims=dict(depth=50, width=4 / 64, stripes=None, localDim=None, numClasses=9)),
    dict(name='torchreid-resnet18-bf16', layout='torchreid-resnet50', input=[2, 96, 64], save='bare', out='safetensors', dtype='bfloat16',
         build=lambda: TorchreidResNet(BasicBlock, [2, 2, 2, 2], base=8, class_num=7),
         dims=dict(depth=18, width=8 / 64, stripes=None, localDim=None, numClasses=7)),
]


def save_checkpoint(net, how, path):
    sd = net.state_dict()
    if how == 'bare':
        torch.save(sd, path)
    elif how == 'wrapped':
        torch.save({'state_dict': sd, 'epoch': 60, 'rank1': 0.87}, path)
    elif how == 'wrapped-dataparallel':
        torch.save({'state_dict': {f'module.{k}': v for k, v in sd.items()}, 'epoch': 60, 'best_top1': 0.92}, path)
    else:
        raise ValueError(how)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join(HERE, '..', 'spec', 'fixtures', 'identity'))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    manifest = {
        'generator': 'scripts/make-identity-fixtures.py',
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'note': 'reference outputs computed in float64 from the stored weights; torchFloat32Error is the max '
                '|torch float32 - float64| / max|float64| per stage (the floor any float32 implementation sees; it varies a little from run to run)',
        'fixtures': [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for i, fx in enumerate(FIXTURES):
            gen = torch.Generator().manual_seed(1000 + i)
            torch.manual_seed(2000 + i)
            net = randomise(fx['build'](), gen)
            if fx['dtype'] != 'keep':
                round_float_tensors(net, converter.TARGET_DTYPES[fx['dtype']])
            b, h, w = fx['input']
            x = (torch.rand(b, 3, h, w, generator=gen) * 2 - 1).half().float()  # float16-exact
            net.float()
            ckpt = os.path.join(tmp, f"{fx['name']}.pth{'.tar' if fx['save'] != 'bare' else ''}")
            save_checkpoint(net, fx['save'], ckpt)
            weights = f"{fx['name']}.{fx['out']}"
            # The wrapped checkpoints hold floats (accuracy), which torch 1.13's weights_only loader refuses;
            # these files are our own, so the full unpickler is safe here.
            subprocess.run([sys.executable, CONVERTER, ckpt, os.path.join(args.out, weights), '--dtype', fx['dtype'], '--unsafe-pickle'],
                           check=True)
            stages, logits, floor = run(net, x)
            expected = {'input': nhwc(x).half()}
            for s, t in enumerate(stages):
                expected[f'layer{s + 1}'] = nhwc(t).float()
            expected['logits'] = torch.stack([t.float() for t in logits])
            converter.write_safetensors(os.path.join(args.out, f"{fx['name']}.expected.safetensors"), expected,
                                        {'generator': 'scripts/make-identity-fixtures.py'})
            manifest['fixtures'].append({
                'name': fx['name'],
                'layout': fx['layout'],
                'weights': weights,
                'expected': f"{fx['name']}.expected.safetensors",
                'saved': fx['save'],
                'weightsDtype': fx['dtype'],
                'inputShape': [b, h, w, 3],
                'stageShapes': [list(nhwc(t).shape) for t in stages],
                'logitsShape': list(expected['logits'].shape),
                'keys': len(net.state_dict()),
                **fx['dims'],
                'torchFloat32Error': [float('%.1e' % f) for f in floor],
            })
            print(f"{fx['name']}: {len(net.state_dict())} keys, stages {[list(t.shape) for t in stages]}, "
                  f"torch f32 vs f64 {['%.1e' % f for f in floor]}")
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
