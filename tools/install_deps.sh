#!/usr/bin/env bash
# Installs the Debian packages flowjet builds with; does nothing when they are all present.
set -euo pipefail
# libopenmpi-dev and openmpi-bin: mpicxx (the Makefile then builds with MPI) and mpirun, for
# data-parallel training and its tests (docs/distributed.md); the build works without them.
# python3-dev, python3-venv, python3-h5py: make test-python (docs/python.md).
packages=(g++ make pkg-config libhdf5-dev libfmt-dev doctest-dev libopenblas-dev liblapack-dev libopenmpi-dev openmpi-bin
          python3-dev python3-venv python3-h5py)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all present (${packages[*]})"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
