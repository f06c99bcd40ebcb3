#!/usr/bin/env python3
"""jetnet 0.2.5's ParticleNet forward pass (the fc1 activations FPND uses), timed on the jets of a
JetNet-layout file: the reference side of `make bench-fpnd-vs-jetnet` (bin/bench_fpnd is the other).

Reads the first N jets of the file, scales them as jetnet's fpnd does (JetNet.fpnd_norm), loads
the committed weights into jetnet's _ParticleNet, and runs it in batches with autograd off on the
given number of threads. Prints the wall and process CPU time, the FPND of those jets against the
statistics of one jet type (so that it can be checked against bin/bench_fpnd on the same jets),
and one `RESULT` line for the Makefile's summary.

Needs, beside Debian's torch / numpy / h5py / scipy, in .venv (pip install --no-deps):
jetnet==0.2.5, torch_geometric==2.3.1 and tqdm (imported by torch_geometric), and torch_cluster
(a compiled extension: built from source against the system torch). Only jetnet's particlenet
module is loaded, not the jetnet package, whose __init__ imports energyflow and more.

  .venv/bin/python tools/py/bench_jetnet_fpnd.py [--file data/samples/g.h5] [--jets 5000]
      [--threads 1] [--batch 32] [--fpnd-dir metrics/resources/fpnd] [--jet-type g]
"""
import argparse
import importlib.util
import os
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default="data/samples/g.h5", help="JetNet-layout HDF5 file of jets")
    parser.add_argument("--jets", type=int, default=5000, help="how many of its first jets")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--batch", type=int, default=32, help="jets per forward call (bin/bench_fpnd's default)")
    parser.add_argument("--fpnd-dir", default="metrics/resources/fpnd", help="pnet_state_dict.pt and <type>_mu/sigma.txt")
    parser.add_argument("--jet-type", default="g", choices=["g", "q", "t"], help="statistics the FPND is taken against")
    return parser.parse_args()


def load_jetnet_particlenet_class():
    """jetnet/evaluation/particlenet.py as a module of its own (the jetnet package is not imported)."""
    spec = importlib.util.find_spec("jetnet")
    if spec is None:
        sys.exit("bench_jetnet_fpnd.py: jetnet is not installed: .venv/bin/python -m pip install --no-deps jetnet==0.2.5")
    path = os.path.join(spec.submodule_search_locations[0], "evaluation", "particlenet.py")
    module_spec = importlib.util.spec_from_file_location("jetnet_particlenet", path)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except ImportError as error:
        sys.exit(f"bench_jetnet_fpnd.py: jetnet's ParticleNet needs {error.name}: see this script's docstring")
    return module._ParticleNet


def fpnd_scaled_jets(path, count):
    """[count, 30, 3] float32: eta / 1.6212, phi / 0.5207, pt / 0.8935 - 0.5 (JetNet.fpnd_norm)."""
    import h5py
    import numpy as np

    with h5py.File(path, "r") as f:
        particles = f["particle_features"][:count, :, :3].astype(np.float32)
    if particles.shape[0] < count or particles.shape[1] != 30:
        sys.exit(f"bench_jetnet_fpnd.py: {path}: need {count} jets of 30 particles, got {particles.shape}")
    maxes = np.array([1.6211985349655151, 0.520724892616272, 0.8934717178344727], dtype=np.float32)
    shifts = np.array([0.0, 0.0, -0.5], dtype=np.float32)
    return particles / maxes + shifts


def frechet_distance(mu_real, sigma_real, mu_gen, sigma_gen):
    """|mu_1 - mu_2|^2 + Tr(S_1 + S_2 - 2 sqrt(S_1 S_2)), real statistics first as jetnet has them."""
    import numpy as np
    from scipy import linalg

    root, _ = linalg.sqrtm(sigma_real.dot(sigma_gen), disp=False)
    root = root.real
    diff = mu_real - mu_gen
    return float(diff.dot(diff) + np.trace(sigma_real) + np.trace(sigma_gen) - 2 * np.trace(root))


def main():
    args = parse_args()
    # Before torch loads OpenBLAS / OpenMP, so that neither starts more threads than asked for.
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    particlenet_class = load_jetnet_particlenet_class()
    net = particlenet_class(30, 3)
    net.load_state_dict(torch.load(os.path.join(args.fpnd_dir, "pnet_state_dict.pt"), map_location="cpu"))
    net.eval()
    jets = torch.from_numpy(fpnd_scaled_jets(args.file, args.jets))

    with torch.no_grad():
        net(jets[: args.batch], ret_activations=True)  # warm-up call (lazy initialisation)
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        activations = [net(jets[b : b + args.batch], ret_activations=True) for b in range(0, len(jets), args.batch)]
        wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    activations = torch.cat(activations).double().numpy()

    mu_real = np.loadtxt(os.path.join(args.fpnd_dir, f"{args.jet_type}_mu.txt"))
    sigma_real = np.loadtxt(os.path.join(args.fpnd_dir, f"{args.jet_type}_sigma.txt"))
    fpnd = frechet_distance(mu_real, sigma_real, activations.mean(axis=0), np.cov(activations, rowvar=False))
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"jetnet 0.2.5 ParticleNet forward (torch {torch.__version__}), {len(jets)} jets of {args.file}, "
          f"batch {args.batch}, {args.threads} threads, f32: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({1e3 * wall / len(jets):.2f} ms/jet), FPND vs {args.jet_type} {fpnd:.6f}, load average {load}")
    print(f"RESULT engine=jetnet wall_s={wall:.3f} cpu_s={cpu:.3f} fpnd={fpnd:.6f}")


if __name__ == "__main__":
    main()
