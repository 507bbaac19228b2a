#!/usr/bin/python3
"""Reference values for core/metrics/ssim.ts (spec/core/metrics/ssim.spec.ts).

Run with Debian's Python and its scikit-image (`apt-get install python3-skimage`, 0.19 on bookworm):

    /usr/bin/python3 scripts/make-ssim-fixtures.py [--out spec/fixtures/ssim/ssim-cases.json]

Each case is a deterministic image pair (and optionally a mask), stored the way retex holds images:
row-major [H, W, 3] in [-1, 1], rounded to 6 decimals; the mask is [H, W] in [0, 1]. The expected value is
scikit-image's

    structural_similarity(a01, b01, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                          data_range=1, channel_axis=-1)

computed in float64 on the rounded values mapped to [0, 1] (a01 = (a + 1) / 2), with a01 * m and
b01 * m for a masked case (the mask-SSIM definition). Per-channel values are stored too, for diagnosis.
"""

import argparse
import json
import os

import numpy as np
import scipy.ndimage as ndi
import skimage
from skimage.metrics import structural_similarity

SSIM_ARGS = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)


def to_pm1(x01):
    """[0,1] float64 -> [-1,1] rounded to 6 decimals (the stored values)."""
    return np.round(np.clip(x01, 0.0, 1.0) * 2.0 - 1.0, 6)


def noise_vs_blurred(rng):
    a = rng.random((24, 20, 3))
    b = ndi.gaussian_filter(a, sigma=(1.0, 1.0, 0.0), mode='nearest')
    return to_pm1(a), to_pm1(b), None


def gradient_vs_shifted(rng):
    h, w = 32, 16
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack([x / (w - 1), y / (h - 1), 0.5 + 0.4 * np.sin(x / 3.0 + y / 5.0)], axis=-1)
    a = base + 0.03 * rng.standard_normal(base.shape)
    shifted = np.roll(base, shift=(2, 1), axis=(0, 1))
    b = shifted + 0.03 * rng.standard_normal(base.shape)
    return to_pm1(a), to_pm1(b), None


def masked_pair(rng):
    h, w = 20, 18
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    # A soft-edged ellipse: inside 1, outside 0, a fractional rim.
    r = np.sqrt(((y - 9.5) / 7.0) ** 2 + ((x - 8.0) / 6.0) ** 2)
    mask = np.round(np.clip((1.15 - r) / 0.3, 0.0, 1.0), 6)
    photo = rng.random((h, w, 3))
    rendering = 0.7 * photo + 0.3 * rng.random((h, w, 3))
    return to_pm1(photo), to_pm1(rendering), mask


def smallest_size(rng):
    # 11 pixels high: the smallest size skimage accepts; the crop keeps a single row.
    a = rng.random((11, 13, 3))
    b = np.clip(a + 0.1 * rng.standard_normal(a.shape), 0.0, 1.0)
    return to_pm1(a), to_pm1(b), None


CASES = [
    ('noise-vs-blurred-24x20', noise_vs_blurred, 11),
    ('gradient-vs-shifted-32x16', gradient_vs_shifted, 12),
    ('masked-20x18', masked_pair, 13),
    ('smallest-11x13', smallest_size, 14),
]


def skimage_ssim(a_pm1, b_pm1, mask):
    a = (a_pm1 + 1.0) / 2.0
    b = (b_pm1 + 1.0) / 2.0
    if mask is not None:
        a = a * mask[:, :, None]
        b = b * mask[:, :, None]
    total = structural_similarity(a, b, channel_axis=-1, **SSIM_ARGS)
    per_channel = [structural_similarity(a[:, :, c], b[:, :, c], **SSIM_ARGS) for c in range(3)]
    return float(total), [float(v) for v in per_channel]


def flat(x):
    return [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join('spec', 'fixtures', 'ssim', 'ssim-cases.json'))
    args = parser.parse_args()
    cases = []
    for name, make, seed in CASES:
        a, b, mask = make(np.random.default_rng(seed))
        value, per_channel = skimage_ssim(a, b, mask)
        h, w, _ = a.shape
        case = {
            'name': name,
            'height': h,
            'width': w,
            'a': flat(a),
            'b': flat(b),
            'ssim': round(value, 12),
            'ssimPerChannel': [round(v, 12) for v in per_channel],
        }
        if mask is not None:
            case['mask'] = flat(mask)
        cases.append(case)
    doc = {
        'generator': 'scripts/make-ssim-fixtures.py',
        'skimage': skimage.__version__,
        'call': 'structural_similarity(a01, b01, gaussian_weights=True, sigma=1.5, '
                'use_sample_covariance=False, data_range=1, channel_axis=-1)',
        'layout': 'a, b: row-major [H, W, 3] in [-1, 1]; mask: [H, W] in [0, 1]; a01 = (a + 1) / 2 (times mask)',
        'cases': cases,
    }
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {args.out}: ' + ', '.join(f"{c['name']} {c['ssim']:.6f}" for c in cases))


if __name__ == '__main__':
    main()
