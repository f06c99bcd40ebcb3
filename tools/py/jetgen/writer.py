# Writes a JetNet-layout HDF5 file (jet-samples.md §1.9): float32 particle_features [N, P, 4] and
# jet_features [N, 4], gzip-compressed by default, provenance attributes; temp file + rename.
import os

import h5py
import numpy as np

CHUNK_BYTES = 256 * 1024  # target chunk size: a few hundred jets per chunk


def _dataset_options(shape, compression):
    if compression == "none":
        return {}
    if compression != "gzip":
        raise ValueError(f"unknown compression '{compression}', expected gzip or none")
    row_bytes = int(np.prod(shape[1:])) * 4
    rows = max(1, min(shape[0], CHUNK_BYTES // row_bytes))
    # Shuffle and deflate are built into every libhdf5, so any reader can decode them.
    return {"chunks": (rows,) + tuple(shape[1:]), "compression": "gzip",
            "compression_opts": 6, "shuffle": True}


def write_jetnet_file(path, particle_features, jet_features, attrs, compression="gzip"):
    """Write the two datasets and root attributes to `path` atomically.

    particle_features: [N, P, 4], jet_features: [N, 4] (stored as little-endian float32).
    attrs: str, int, float or list-of-str values (lists are stored newline-joined).
    The data go to a temporary file in the same folder which is renamed onto `path` only after
    it is closed; on any failure the temporary file is removed and `path` is left untouched.
    """
    pf = np.ascontiguousarray(particle_features, dtype="<f4")
    jf = np.ascontiguousarray(jet_features, dtype="<f4")
    if pf.ndim != 3 or pf.shape[2] != 4 or jf.shape != (pf.shape[0], 4):
        raise ValueError(f"{path}: expected shapes [N, P, 4] and [N, 4], got {pf.shape} and {jf.shape}")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("particle_features", data=pf, **_dataset_options(pf.shape, compression))
            f.create_dataset("jet_features", data=jf, **_dataset_options(jf.shape, compression))
            for key, value in attrs.items():
                if isinstance(value, (list, tuple)):
                    value = "\n".join(str(v) for v in value)
                f.attrs[key] = value
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
