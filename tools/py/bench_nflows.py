#!/usr/bin/env python3
"""The PyTorch + nflows half of the training benchmark (tools/bench_vs_torch.sh, docs/performance.md).

    python3 tools/py/bench_nflows.py CONFIG [--threads N] [--steps S] [--batch B] [--warmup W]

Builds CONFIG's flow with nflows (the layers flowjet implements: coupling transforms whose
conditioner is nflows' ResidualNet, a standard-normal base, float32) and times, like
bin/bench_train, the training step, sampling and log_prob of B jets: median and best of S timed
calls after W warm-up calls. The inputs are random (standard-normal features, contexts m~ normal
and n uniform in 1..P): the timing does not depend on the values. For CCNF models the step first
runs the mass-constraint pass (a differentiable flow.sample with the batch's contexts, the jet
mass of the generated (eta, phi, pt) particles, the mean squared difference to the batch's
masses, weighted by train.lambda) and the step without it is timed too. The last line is
"RESULT key=value ..." with the keys of bin/bench_train, including the median CPU time of the
process per call.
"""
import argparse
import configparser
import os
import resource
import sys
import time
import warnings

# Defaults of the keys this script reads (bin/train --keys).
DEFAULTS = {
    ("data", "particles"): "30",
    ("model", "coupling"): "rqs",
    ("model", "coupling_layers"): "15",
    ("model", "network_layers"): "2",
    ("model", "network_nodes"): "256",
    ("model", "bins"): "5",
    ("model", "tail_bound"): "6",
    ("model", "dropout"): "0",
    ("model", "batchnorm"): "false",
    ("model", "mask"): "random",
    ("train", "optimizer"): "adamw",
    ("train", "lr"): "1e-3",
    ("train", "weight_decay"): "0.01",
    ("train", "lambda"): "10",
    ("train", "seed"): "42",
}
# VNF: nflows' C = 0 conditioner the authors' code builds (as flowjet); no context is passed.
CONTEXT_FEATURES = {"vnf": 0, "cnf_m": 1, "ccnf_m": 1, "cnf_mn": 2, "ccnf_mn": 2}


def usage_error(message):
    print(f"bench_nflows.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("config", help="the training configuration (INI) whose model is timed")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch intra-op threads (default: every core, as bin/bench_train)")
    parser.add_argument("--steps", type=int, default=5, help="timed calls per measurement (default 5)")
    parser.add_argument("--batch", type=int, default=2000, help="jets per call (default 2000)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls first (default 1)")
    args = parser.parse_args()  # exits with 2 on a bad flag
    if not os.path.isfile(args.config):
        usage_error(f'configuration file "{args.config}" not found')
    if args.threads < 1 or args.steps < 1 or args.batch < 1 or args.warmup < 0:
        usage_error("--threads, --steps and --batch must be >= 1, --warmup >= 0")
    return args


def read_config(path):
    ini = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    ini.read(path)

    def get(section, key):
        return ini.get(section, key, fallback=DEFAULTS.get((section, key)))

    kind = get("model", "kind")
    if kind not in CONTEXT_FEATURES:
        usage_error(f'{path}: model.kind "{kind}" is not one of {", ".join(CONTEXT_FEATURES)}')
    return {
        "kind": kind,
        "particles": int(get("data", "particles")),
        "coupling": get("model", "coupling"),
        "layers": int(get("model", "coupling_layers")),
        "blocks": int(get("model", "network_layers")),
        "hidden": int(get("model", "network_nodes")),
        "bins": int(get("model", "bins")),
        "tail_bound": float(get("model", "tail_bound")),
        "dropout": float(get("model", "dropout")),
        "batchnorm": ini.BOOLEAN_STATES[get("model", "batchnorm").lower()],
        "mask": get("model", "mask"),
        "optimizer": get("train", "optimizer"),
        "lr": float(get("train", "lr")),
        "weight_decay": float(get("train", "weight_decay")),
        "lambda": float(get("train", "lambda")),
        "seed": int(get("train", "seed")),
    }


args = parse_arguments()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(args.threads)  # before torch is imported

import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402

try:
    import matplotlib  # noqa: F401
except ImportError:
    # nflows imports matplotlib.pyplot for a plotting helper of its MADE module that is never
    # called here; an empty stand-in spares the benchmark a plotting library.
    import types

    sys.modules["matplotlib"] = types.ModuleType("matplotlib")
    sys.modules["matplotlib.pyplot"] = types.ModuleType("matplotlib.pyplot")

from nflows.distributions.normal import StandardNormal  # noqa: E402
from nflows.flows.base import Flow  # noqa: E402
from nflows.nn.nets import ResidualNet  # noqa: E402
from nflows.transforms.base import CompositeTransform  # noqa: E402
from nflows.transforms.coupling import (  # noqa: E402
    AffineCouplingTransform,
    PiecewiseRationalQuadraticCouplingTransform,
)


def layer_mask(cfg, layer, features):
    """flows/masks.cpp's kinds: 1 marks a transformed feature (nflows: mask > 0)."""
    if cfg["mask"] == "alternating":
        return torch.tensor([int((i % 2 == 0) == (layer % 2 == 0)) for i in range(features)])
    units = cfg["particles"] if cfg["mask"] == "particle" else features
    chosen = torch.zeros(units, dtype=torch.long)
    chosen[torch.randperm(units)[: (units + 1) // 2]] = 1
    return chosen.repeat_interleave(3) if cfg["mask"] == "particle" else chosen


def build_flow(cfg):
    features = 3 * cfg["particles"]
    warnings.filterwarnings("ignore", "Initializing zero-element tensors")  # the C = 0 context layers

    def conditioner(in_features, out_features):
        return ResidualNet(in_features, out_features, hidden_features=cfg["hidden"],
                           context_features=CONTEXT_FEATURES[cfg["kind"]], num_blocks=cfg["blocks"],
                           activation=F.relu, dropout_probability=cfg["dropout"],
                           use_batch_norm=cfg["batchnorm"])

    layers = []
    for layer in range(cfg["layers"]):
        mask = layer_mask(cfg, layer, features)
        if cfg["coupling"] == "affine":
            layers.append(AffineCouplingTransform(mask, conditioner))
        else:
            layers.append(PiecewiseRationalQuadraticCouplingTransform(
                mask, conditioner, num_bins=cfg["bins"], tails="linear", tail_bound=cfg["tail_bound"]))
    return Flow(CompositeTransform(layers), StandardNormal([features]))


def jet_mass(x):
    """flows/loss/jet_mass.h: massless particles (eta, phi, pt), momenta clamped to [-100, 100]."""
    eta, phi, pt = x[:, 0::3], x[:, 1::3], x[:, 2::3]
    p = torch.stack([pt * torch.cos(phi), pt * torch.sin(phi), pt * torch.sinh(eta)], dim=2).clamp(-100, 100)
    energy = p.norm(dim=2).sum(dim=1)
    return torch.sqrt(torch.clamp(energy**2 - (p.sum(dim=1) ** 2).sum(dim=1), min=0))


def time_calls(warmup, steps, call):
    """Median and best wall seconds, and median CPU seconds of the process, per timed call."""
    for _ in range(warmup):
        call()
    wall, cpu = [], []
    for _ in range(steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        call()
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - start)
    return sorted(wall)[len(wall) // 2], min(wall), sorted(cpu)[len(cpu) // 2]


def blas_backend():
    """torch's build settings for BLAS, LAPACK and oneDNN, and the libraries actually loaded
    (Debian's "generic" BLAS is whatever libblas.so.3 the alternatives system points to)."""
    settings = [word.strip(" ,") for word in torch.__config__.show().split()
                if word.startswith(("BLAS_INFO=", "LAPACK_INFO=", "USE_MKLDNN="))]
    with open("/proc/self/maps") as f:
        loaded = sorted({line.split()[-1] for line in f
                         if any(name in line.split()[-1] for name in ("blas", "lapack", "mkl", "dnnl"))})
    return f"{' '.join(settings)}; loaded: {' '.join(loaded) or 'none'}"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown"


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "unknown"


def main():
    cfg = read_config(args.config)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(cfg["seed"])
    batch, features, ccnf = args.batch, 3 * cfg["particles"], cfg["kind"].startswith("ccnf")

    flow = build_flow(cfg)
    optimizer_class = torch.optim.AdamW if cfg["optimizer"] == "adamw" else torch.optim.Adam
    optimizer = optimizer_class(flow.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    x = torch.randn(batch, features)
    context = None
    if CONTEXT_FEATURES[cfg["kind"]]:
        columns = [torch.randn(batch)]
        if CONTEXT_FEATURES[cfg["kind"]] == 2:
            columns.append(torch.randint(1, cfg["particles"] + 1, (batch,)).float())
        context = torch.stack(columns, dim=1)
    true_mass = torch.rand(batch) * 0.3  # relative jet masses
    mean, std = x.mean(dim=0), x.std(dim=0)  # the inverse scaling of the generated features

    def train_step(with_mass_loss):
        flow.train()
        optimizer.zero_grad()
        loss = 0.0
        if with_mass_loss:  # before the density pass, as flowjet's Trainer
            generated = flow.sample(1, context=context).squeeze(1) * std + mean
            loss = cfg["lambda"] * torch.mean((jet_mass(generated) - true_mass) ** 2)
        loss = loss - flow.log_prob(x, context=context).mean() / features
        loss.backward()
        optimizer.step()

    def evaluated(call):
        def run():
            flow.eval()
            with torch.no_grad():
                call()
        return run

    print(f"cpu: {cpu_model()}\nthreads: {torch.get_num_threads()} (interop {torch.get_num_interop_threads()})")
    print(f"torch {torch.__version__}, BLAS: {blas_backend()}")
    print(f"load average at start: {load_average()}")
    parameters = sum(p.numel() for p in flow.parameters())
    print(f"config: {args.config} ({cfg['kind']}, {parameters} parameters), batch {batch}, "
          f"{args.steps} timed call(s) after {args.warmup} warm-up call(s), f32")
    measurements = [
        ("train step (with mass constraint)" if ccnf else "train step", "train_step", lambda: train_step(ccnf)),
        ("sample (flow.sample)", "sample", evaluated(lambda: flow.sample(1, context=context))
         if context is not None else evaluated(lambda: flow.sample(batch))),
        ("log_prob (flow.log_prob)", "logprob", evaluated(lambda: flow.log_prob(x, context=context))),
    ]
    if ccnf:
        measurements.append(("train step (cnf equivalent)", "train_step_cnf", lambda: train_step(False)))
    result = ""
    for name, key, call in measurements:
        median, best, cpu = time_calls(args.warmup, args.steps, call)
        per_s = batch / median
        print(f"{name:<34} median {median * 1e3:9.1f} ms  best {best * 1e3:9.1f} ms  {per_s:9.0f} jets/s"
              f"  CPU {cpu * 1e3:9.1f} ms")
        result += (f" {key}_ms={median * 1e3:.2f} {key}_best_ms={best * 1e3:.2f} {key}_jets_per_s={per_s:.0f}"
                   f" {key}_cpu_ms={cpu * 1e3:.2f}")

    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_rss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS {peak_rss_mb:.0f} MiB, user {usage.ru_utime:.1f} s, sys {usage.ru_stime:.1f} s (whole process)")
    print(f"load average at end: {load_average()}")
    print(f"RESULT engine=pytorch{result} peak_rss_mb={peak_rss_mb:.0f} user_s={usage.ru_utime:.2f} "
          f"sys_s={usage.ru_stime:.2f} threads={torch.get_num_threads()} batch={batch}")


if __name__ == "__main__":
    main()
