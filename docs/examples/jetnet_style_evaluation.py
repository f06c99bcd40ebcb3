#!/usr/bin/env python3
"""A jetnet-style evaluation script (docs/python.md): scores one JetNet file against another with
jetnet.evaluation's functions, called as jetnet documents them. With --flowjet the one import line
takes flowjet.metrics instead; nothing else changes. Prints each metric and its time.

  python docs/examples/jetnet_style_evaluation.py REAL.h5 GEN.h5 [--flowjet]
"""
import sys
import time

import h5py
import numpy as np

if "--flowjet" in sys.argv:
    import flowjet.metrics as evaluation
else:
    from jetnet import evaluation

real_path, gen_path = [a for a in sys.argv[1:] if not a.startswith("--")]
with h5py.File(real_path) as f:
    real = f["particle_features"][:, :, :3]
with h5py.File(gen_path) as f:
    gen = f["particle_features"][:, :, :3]
evaluation.gen_metrics.rng = np.random.default_rng(2022)  # jetnet's generator for the W1 and COV/MMD batches


def timed(name, compute, shown=lambda value: value):
    start = time.perf_counter()
    value = compute()
    with np.printoptions(precision=7):
        print(f"{name:8s} {shown(value)}  ({time.perf_counter() - start:.1f} s)", flush=True)
    return value


timed("W1M", lambda: evaluation.w1m(real, gen))
timed("W1P", lambda: evaluation.w1p(real, gen))
timed("W1EFP", lambda: evaluation.w1efp(real, gen))
timed("COV/MMD", lambda: evaluation.cov_mmd(real, gen, use_tqdm=False))
real_efps, gen_efps = timed("EFPs", lambda: (evaluation.get_fpd_kpd_jet_features(real),
                                             evaluation.get_fpd_kpd_jet_features(gen)),
                            shown=lambda value: f"2 x {value[0].shape}")
timed("FPD", lambda: evaluation.fpd(real_efps, gen_efps))
timed("KPD", lambda: evaluation.kpd(real_efps, gen_efps))
