#!/usr/bin/env python3
# Prints the content checksum of JetNet-layout files (jetgen/checksum.py: the SHA-256 of the jets, not of
# the file's bytes), one "HEX  NAME" line per file as sha256sum does, so two generations of the same
# stand-in data can be compared even though their files differ byte for byte.
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jetgen.checksum import content_sha256  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description="Content SHA-256 of JetNet-layout HDF5 files.")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            print(f"{content_sha256(path)}  {path}")
        except (OSError, ValueError) as err:
            print(f"jets_checksum: error: {err}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
