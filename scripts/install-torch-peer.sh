#!/usr/bin/env bash
# Installs the PyTorch peer used by `retex bench train-step` and `retex bench identity`: Debian's
# python3-torch (CPU build), python3-torchvision (the identity bench builds torchvision's ResNet blocks) and
# OpenBLAS (without it Debian's torch falls back to the slow reference BLAS). Idempotent: packages that
# are already installed are left alone. Needs root (or sudo) and access to Debian's package archive.
set -euo pipefail

PACKAGES=(python3-torch python3-torchvision libopenblas0-pthread)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "torch peer already installed (${PACKAGES[*]})"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO="sudo"
    else
      echo "error: installing ${missing[*]} needs root; re-run as root or install sudo" >&2
      exit 1
    fi
  fi
  echo "installing ${missing[*]} with apt-get"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

if ! /usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1; then
  echo "error: /usr/bin/python3 still cannot import torch and torchvision after installing ${PACKAGES[*]}" >&2
  exit 1
fi
/usr/bin/python3 -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__, "threads", torch.get_num_threads())'
# Which BLAS torch will get through Debian's alternatives (OpenBLAS is wanted).
if command -v update-alternatives >/dev/null 2>&1; then
  update-alternatives --query "libblas.so.3-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)" 2>/dev/null \
    | awk '/^Value:/ {print "libblas.so.3 ->", $2}' || true
fi
