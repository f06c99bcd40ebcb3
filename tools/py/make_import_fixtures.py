#!/usr/bin/env python3
"""Write the fixtures of tests/import/ (bin/import, flows/io/nflows_import.h, engine/io/torch_*.h):
small nflows flows saved by torch.save in the zip and the legacy format and as a PyTorch
Lightning-style .ckpt, each with nflows' log_prob (float64 and float32, eval mode); and malformed,
corrupted and malicious files that the readers must refuse.

    make_import_fixtures.py tests/fixtures/import

Per flow NAME: NAME.pt (or NAME.ckpt) and NAME_expected.h5 (a flowjet checkpoint-format file with
the tensors inputs, [context,] log_prob_f64, log_prob_f32 and the attributes coupling, tail_bound).
Needs torch, nflows 0.14, numpy and h5py (requirements-nflows.txt).
"""
import argparse
import collections
import copy
import io
import os
import struct
import sys
import types
import zipfile

import torch

# nflows imports matplotlib.pyplot at load time for a plotting helper (nflows/nn/nde/made.py) that
# these fixtures never call; where matplotlib is not installed, an empty stand-in satisfies the import.
try:
    import matplotlib.pyplot  # noqa: F401
except ImportError:
    sys.modules["matplotlib"] = types.ModuleType("matplotlib")
    sys.modules["matplotlib.pyplot"] = sys.modules["matplotlib"].pyplot = types.ModuleType("matplotlib.pyplot")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowjet_checkpoint import write_checkpoint  # noqa: E402
from make_nflows_fixtures import build_flow, contexts, fixture_inputs, make_non_trivial, round_to_float32  # noqa: E402

SCRIPT = "tools/py/make_import_fixtures.py"

# (name, coupling, features, layers, hidden, context, blocks, batch norm, masks, format)
# context None: no context at all; 0: nflows' context_features = 0 (bias-only context layers).
FLOWS = [
    ("rqs_c2_bn_zip", "rqs", 5, 3, 6, 2, 2, True, [[1, 0, 0, 0, 0], [0, 1, 1, 1, 0], [1, 1, 0, 1, 1]], "zip"),
    ("affine_c0_legacy", "affine", 4, 2, 5, 0, 1, False, [[1, 0, 0, 0], [0, 1, 1, 1]], "legacy"),
    ("rqs_c1_bn_lightning", "rqs", 4, 2, 5, 1, 1, True, "alternating", "lightning"),
    ("affine_none_bn_zip", "affine", 5, 2, 4, None, 1, True, [[0, 1, 1, 0, 1], [1, 0, 0, 0, 1]], "zip"),
]
TAIL_BOUND = 3.0


def log_prob(flow, x, c, dtype):
    """nflows' log_prob in `dtype` (a copy of the flow cast to it), eval mode, as float64."""
    model = copy.deepcopy(flow).to(dtype)
    with torch.no_grad():
        return model.log_prob(x.to(dtype), context=None if c is None else c.to(dtype)).double()


def attribute_dict_class():
    """Lightning's AttributeDict (the dict a .ckpt keeps its hyper-parameters in), or where Lightning is
    not installed a dict subclass that pickles under the same module path."""
    try:
        from lightning_fabric.utilities.data import AttributeDict
        return AttributeDict
    except ImportError:
        pass
    names = ["lightning_fabric", "lightning_fabric.utilities", "lightning_fabric.utilities.data"]
    for name in names:
        sys.modules.setdefault(name, types.ModuleType(name))
    AttributeDict = type("AttributeDict", (dict,), {"__module__": names[-1]})
    sys.modules[names[-1]].AttributeDict = AttributeDict
    return AttributeDict


def save_lightning(flow, path):
    """What a LightningModule holding the flow as `self.flow` saves: the state dict under "state_dict" with
    the module prefix "flow.", beside bookkeeping entries and the hyper-parameters in an AttributeDict."""
    state = collections.OrderedDict(("flow." + k, v) for k, v in flow.state_dict().items())
    hparams = attribute_dict_class()(num_bins=4, tail_bound=TAIL_BOUND, lr=1e-3, masks=[1, 2])
    torch.save({"epoch": 3, "global_step": 120, "pytorch-lightning_version": "1.9.0", "state_dict": state,
                "hyper_parameters": hparams, "loops": None}, path)


def make_flows(out_dir):
    torch.manual_seed(20261207)
    for name, kind, features, layers, hidden, context, blocks, bn, masks, fmt in FLOWS:
        # nflows' ResidualNet takes context_features=None for no context.
        flow = build_flow(kind, features, layers, hidden, context, blocks, bn, bins=4, tail_bound=TAIL_BOUND,
                          masks=masks).double()
        make_non_trivial(flow, context=context or 0)
        state = flow.state_dict()
        if fmt == "lightning":  # the Lightning fixture keeps float32 weights (exactly, after round_to_float32)
            save_lightning(copy.deepcopy(flow).float(), os.path.join(out_dir, name + ".ckpt"))
        else:
            torch.save(state, os.path.join(out_dir, name + ".pt"), _use_new_zipfile_serialization=(fmt == "zip"))
        x = fixture_inputs(features, TAIL_BOUND)[:10]
        c = contexts(x.shape[0], context or 0)
        round_to_float32([t for t in (x, c) if t is not None])
        tensors = {"inputs": x.numpy(), "log_prob_f64": log_prob(flow, x, c, torch.float64).numpy(),
                   "log_prob_f32": log_prob(flow, x, c, torch.float32).numpy()}
        if c is not None:
            tensors["context"] = c.numpy()
        write_checkpoint(os.path.join(out_dir, name + "_expected.h5"), tensors,
                         {"made_by": SCRIPT, "coupling": kind, "tail_bound": TAIL_BOUND, "torch_version": torch.__version__})


def zip_bytes(entries, compression=zipfile.ZIP_STORED):
    """A zip archive of (name, bytes) entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in entries:  # a fixed date, so that the files are the same on every run
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compression)
    return buffer.getvalue()


def torch_zip_entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def legacy_file(pickle_bytes):
    """A legacy torch.save stream whose object pickle is `pickle_bytes` (no storages follow)."""
    header = io.BytesIO()
    torch.save({}, header, _use_new_zipfile_serialization=False)
    # The legacy stream is: magic, version, system info, object, storage keys; keep the first three.
    import pickle
    header.seek(0)
    for _ in range(3):
        pickle.load(header)
    return header.getvalue()[:header.tell()] + pickle_bytes + b"\x80\x02]q\x00."


def make_tiny(out_dir):
    """tiny.pt: the smallest zip-format state dict (float32, float64 and int64), also a fuzzing seed."""
    torch.save(collections.OrderedDict(w=torch.tensor([[1.5, -2.0], [0.25, 4.0]]).t(),
                                       d=torch.tensor([0.1], dtype=torch.float64), i=torch.tensor([3, 1])),
               os.path.join(out_dir, "tiny.pt"))


def make_bad_files(out_dir):
    """Files the readers must refuse, each with the part of the message the C++ test expects."""
    good = os.path.join(out_dir, "affine_none_bn_zip.pt")
    raw = open(good, "rb").read()
    entries = torch_zip_entries(good)
    archive = entries[0][0].split("/")[0]
    # A pickle that would run os.system("echo pwned") under pickle.load.
    evil_global = b"\x80\x02cos\nsystem\nq\x00X\x0b\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03."
    # REDUCE of a whitelisted global that is no constructor.
    evil_reduce = b"\x80\x02ctorch\nFloatStorage\nq\x00)Rq\x01."
    # A list appended to itself: a cycle no state dict has.
    recursive = b"\x80\x02]q\x00h\x00a."
    # A list where a dict should be.
    not_dict = b"\x80\x02]q\x00."
    bad = {
        "evil_global.pt": zip_bytes([(f"{archive}/data.pkl", evil_global), (f"{archive}/version", b"3\n")]),
        "evil_reduce.pt": zip_bytes([(f"{archive}/data.pkl", evil_reduce), (f"{archive}/version", b"3\n")]),
        "evil_global_legacy.pt": legacy_file(evil_global),
        "recursive.pt": zip_bytes([(f"{archive}/data.pkl", recursive), (f"{archive}/version", b"3\n")]),
        "not_a_dict.pt": zip_bytes([(f"{archive}/data.pkl", not_dict), (f"{archive}/version", b"3\n")]),
        "compressed.pt": zip_bytes(entries, zipfile.ZIP_DEFLATED),
        "truncated.pt": raw[: len(raw) // 2],
    }
    # One flipped byte in the first storage's data: its CRC-32 no longer matches.
    corrupted = bytearray(raw)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo(f"{archive}/data/0")
    local = info.header_offset
    name_len, extra_len = struct.unpack("<HH", raw[local + 26:local + 30])
    corrupted[local + 30 + name_len + extra_len + 3] ^= 0x40
    bad["corrupted.pt"] = bytes(corrupted)
    # The zip64 end record (which torch.save always writes) moved to claim another directory offset.
    zip64 = bytearray(raw)
    record = raw.rfind(b"PK\x06\x06")
    offset = struct.unpack("<Q", raw[record + 48:record + 56])[0]
    zip64[record + 48:record + 56] = struct.pack("<Q", offset + 1)
    bad["zip64_bogus.pt"] = bytes(zip64)
    # The first central directory entry marked encrypted (general purpose flag bit 0).
    encrypted = bytearray(raw)
    central = raw.find(b"PK\x01\x02")
    encrypted[central + 8] |= 0x01
    bad["encrypted.pt"] = bytes(encrypted)
    # A storage entry 8 bytes shorter than the pickle's element count says (a valid zip otherwise).
    bad["short_storage.pt"] = zip_bytes([(n, d[:-8] if n == f"{archive}/data/0" else d) for n, d in entries])
    for name, data in bad.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", help="folder for the fixtures (tests/fixtures/import)")
    args = ap.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    make_flows(args.out_dir)
    make_tiny(args.out_dir)
    make_bad_files(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
