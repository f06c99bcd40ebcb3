#!/usr/bin/env python3
# Checks JetNet-layout files: strict structure/content checks (jet-samples.md §4) and, for files
# written by make_jets.py, the sanity bands of §2.8. Prints the measured statistics.
import argparse
import os
import sys

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jetgen.stats import BANDS, band_failures, jet_statistics  # noqa: E402
from jetgen.validate import check_file  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validate JetNet-layout HDF5 files.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--lenient", action="store_true", help="do not treat W* warnings as errors")
    args = ap.parse_args(argv)
    failed = False
    for path in args.files:
        problems = check_file(path, strict=not args.lenient)
        with h5py.File(path, "r") as f:
            stats = jet_statistics(f["particle_features"][()], f["jet_features"][()])
            preset, jet_type = f.attrs.get("preset"), f.attrs.get("jet_type")
            slots = f["particle_features"].shape[1]
        banded = (preset, jet_type) in BANDS and slots == 30 and stats["jets"] >= 1000
        if banded:  # the bands of jet-samples.md §2.8 hold for >= 1,000 jets
            problems += band_failures(stats, preset, jet_type)
        print(f"{path}: {stats['jets']} jets, P = {slots}, type {jet_type}, preset {preset}")
        print("  " + ", ".join(f"{k} {v:.4g}" for k, v in stats.items() if k != "jets"))
        for p in problems:
            print("  FAIL " + p)
        print("  " + ("FAILED" if problems else "ok: strict checks" + (" and sanity bands" if banded else "")))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
