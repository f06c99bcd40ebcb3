# Builds the tiny PyTorch legacy-format (.pt) state dicts of tests/fixtures/torch_legacy by hand
# (no torch needed), for the bound checks of engine/io/torch_legacy: a well-formed file and
# files whose storage size, shape or stride point far outside the data (the reader once wrapped
# count * element_size to 0 for 2^62 elements and read out of bounds).
# Run from the repository root: python3 tools/py/make_torch_legacy_fixtures.py
import collections, io, pickle, struct, sys, types
torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils')
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils
class FloatStorage: pass
FloatStorage.__module__ = 'torch'; torch.FloatStorage = FloatStorage
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class StorageRef:
    def __init__(s, key, n): s.key = key; s.n = n
class T:
    def __init__(s, storage, shape, stride): s.storage = storage; s.shape = shape; s.stride = stride
    def __reduce__(s):
        return (_rebuild_tensor_v2, (s.storage, 0, s.shape, s.stride, False, collections.OrderedDict()))
class P(pickle.Pickler):
    def persistent_id(s, obj):
        return ('storage', FloatStorage, obj.key, 'cpu', obj.n, None) if isinstance(obj, StorageRef) else None
def build(n, shape, stride, record_count, data):
    out = io.BytesIO()
    for header in (0x1950a86a20f9469cfc6c, 1001,
                   {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}):
        pickle.dump(header, out, protocol=2)
    # A second, well-formed tensor: the key list then has two entries (pickled with APPENDS, as torch does).
    P(out, protocol=2).dump(collections.OrderedDict([('w', T(StorageRef('0', n), shape, stride)),
                                                     ('b', T(StorageRef('1', 1), (1,), (1,)))]))
    pickle.dump(['0', '1'], out, protocol=2)
    out.write(struct.pack('<q', record_count)); out.write(data)
    out.write(struct.pack('<q', 1)); out.write(struct.pack('<f', 0.25))
    return out.getvalue()
two = struct.pack('<2f', 1.5, -2.0)
import os
os.chdir('tests/fixtures/torch_legacy')
open('ok.pt', 'wb').write(build(2, (2,), (1,), 2, two))
open('huge_storage.pt', 'wb').write(build(2**62, (2,), (1,), 2**62, two))
open('huge_shape.pt', 'wb').write(build(2, (2**40, 2**40), (1, 1), 2, two))
open('wide_stride.pt', 'wb').write(build(2, (2,), (2**62,), 2, two))
