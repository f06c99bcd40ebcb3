# Writes and reads flowjet checkpoints with h5py, in the layout of engine/io/checkpoint.h:
# one float dataset per named tensor (chunked + Fletcher-32, or compact when 0-d or empty),
# root attributes "format" = "flowjet-checkpoint", "format_version" = 1, HDF5 1.8 object format,
# written to a temporary file in the same folder and renamed.
import os

import h5py
import numpy as np

FORMAT = "flowjet-checkpoint"
FORMAT_VERSION = 1
CHUNK_TARGET_BYTES = 1 << 20  # as kChunkTargetBytes in engine/io/checkpoint_write.cpp


def chunk_dims(shape, element_size):
    """The whole tensor, halving the leading axes until a chunk is at most ~1 MiB (checkpoint_write.cpp)."""
    chunk = list(shape)
    axis = 0
    while axis < len(chunk) and int(np.prod(chunk)) * element_size > CHUNK_TARGET_BYTES:
        if chunk[axis] > 1:
            chunk[axis] = (chunk[axis] + 1) // 2
        else:
            axis += 1
    return tuple(chunk)


def _check_name(path, name):
    parts = name.split("/")
    if not name or name.startswith("/") or name.endswith("/") or "//" in name or any(p in (".", "..") for p in parts):
        raise ValueError(f"{path}: cannot write tensor {name!r}: not a valid checkpoint tensor name")


def _write_compact(f, name, array):
    """0-d and empty tensors: compact datasets inside their (checksummed) object header."""
    space = h5py.h5s.create(h5py.h5s.SCALAR) if array.ndim == 0 else h5py.h5s.create_simple(array.shape)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dcpl.set_obj_track_times(False)
    lcpl = h5py.h5p.create(h5py.h5p.LINK_CREATE)
    lcpl.set_create_intermediate_group(True)
    file_type = h5py.h5t.IEEE_F32LE if array.dtype == np.float32 else h5py.h5t.IEEE_F64LE
    dataset = h5py.h5d.create(f.id, name.encode(), file_type, space, dcpl=dcpl, lcpl=lcpl)
    if array.size > 0:
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(array))


def _write_attribute(f, key, value):
    if isinstance(value, str):
        f.attrs[key] = str(value)  # h5py stores str as a variable-length UTF-8 string, as the C++ writer
    elif isinstance(value, (bool, np.bool_)):
        f.attrs[key] = np.int64(int(value))
    elif isinstance(value, (int, np.integer)):
        f.attrs[key] = np.int64(value)
    elif isinstance(value, (float, np.floating)):
        f.attrs[key] = np.float64(value)
    else:
        f.attrs[key] = np.asarray(value, dtype="<f8")


def _create_file(path):
    """A new HDF5 file in the 1.8 object format, without modification times (same content, same bytes)."""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_V18, h5py.h5f.LIBVER_V18)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_EXCL, fapl=fapl, fcpl=fcpl))


def write_checkpoint(path, tensors, attributes):
    """tensors: {name: float32/float64 numpy array of rank <= 4}; attributes: {key: str|int|float|list of float}."""
    for key in attributes:
        if key in ("format", "format_version") or not key:
            raise ValueError(f"{path}: attribute {key!r} is reserved or empty")
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f"{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with _create_file(tmp) as f:
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = np.int64(FORMAT_VERSION)
            for key in sorted(attributes):
                _write_attribute(f, key, attributes[key])
            for name, value in tensors.items():
                _check_name(path, name)
                array = np.asarray(value)
                if array.dtype not in (np.float32, np.float64) or array.ndim > 4:
                    raise ValueError(f"{path}: tensor {name!r} is {array.dtype} of rank {array.ndim}, "
                                     "expected float32/float64 of rank <= 4")
                array = array.astype(array.dtype.newbyteorder("<"), copy=False)
                if array.ndim == 0 or array.size == 0:
                    _write_compact(f, name, array)
                else:
                    f.create_dataset(name, data=array, chunks=chunk_dims(array.shape, array.itemsize),
                                     fletcher32=True, track_times=False)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_checkpoint(path):
    """(tensors, attributes) of a flowjet checkpoint; raises ValueError when it is not one."""
    tensors = {}
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != FORMAT or int(f.attrs.get("format_version", -1)) != FORMAT_VERSION:
            raise ValueError(f"{path}: not a {FORMAT} file of version {FORMAT_VERSION}")
        f.visititems(lambda name, obj: tensors.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        attributes = {k: v for k, v in f.attrs.items() if k not in ("format", "format_version")}
    return tensors, attributes
