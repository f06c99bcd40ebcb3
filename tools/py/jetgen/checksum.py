"""A checksum of a JetNet-layout file's jets, independent of how the file was written.

The SHA-256 of the file's bytes changes on every write even for the same jets: the writer stores the
creation time as an attribute, and HDF5 object headers carry modification times and layout choices
(chunking, compression) that do not change a single jet. This checksum covers only what the jets are:
for each dataset, in name order, its name, its element type, its shape and its values in row-major
order as little-endian bytes. Two files with the same checksum hold the same jets bit for bit.
"""
import hashlib

import h5py
import numpy as np

DATASETS = ("jet_features", "particle_features")


def content_sha256(path):
    """Hex SHA-256 over the datasets of DATASETS in the file at `path` (see the module docstring)."""
    digest = hashlib.sha256()
    with h5py.File(path, "r") as f:
        for name in DATASETS:
            if name not in f:
                raise ValueError(f"{path}: no dataset '{name}'")
            values = np.ascontiguousarray(f[name][()])
            little = values.astype(values.dtype.newbyteorder("<"), copy=False)
            header = f"{name}\0{little.dtype.str}\0{','.join(map(str, little.shape))}\0"
            digest.update(header.encode())
            digest.update(little.tobytes(order="C"))
    return digest.hexdigest()
