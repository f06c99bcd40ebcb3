#!/usr/bin/env python3
"""Build small nflows flows with non-trivial weights, import them with bin/import and
record what nflows computes (float64, eval mode), for tests/flows/nflows_fixture_test.cpp.

    make_nflows_fixtures.py tests/fixtures/nflows          # the committed fixtures
    make_nflows_fixtures.py --talk-model talk.h5           # the 15-layer talk-sized flow (flow-model.md §5)

Per flow NAME it writes NAME_flow.h5 (the imported checkpoint) and NAME_fixture.h5 (a flowjet
checkpoint-format file holding inputs, context, log_prob, latent, z, z_context, samples,
samples_logabsdet). Needs torch, nflows 0.14, numpy and h5py (requirements-nflows.txt), and a
built bin/import (`make bin/import`).
"""
import argparse
import copy
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from nflows.distributions.normal import StandardNormal
from nflows.flows.base import Flow
from nflows.nn.nets import ResidualNet
from nflows.transforms.base import CompositeTransform
from nflows.transforms.coupling import AffineCouplingTransform, PiecewiseRationalQuadraticCouplingTransform
from nflows.utils import torchutils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowjet_checkpoint import write_checkpoint  # noqa: E402

SCRIPT = "tools/py/make_nflows_fixtures.py"
IMPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "import")


def run_import(state, output, *flags):
    """bin/import STATE OUTPUT FLAGS...; its exit status."""
    return subprocess.run([IMPORT, state, output, *flags]).returncode


def residual_net_factory(hidden, context, blocks, dropout, batch_norm):
    def create(in_features, out_features):
        return ResidualNet(in_features, out_features, hidden_features=hidden, context_features=context,
                           num_blocks=blocks, dropout_probability=dropout, use_batch_norm=batch_norm)
    return create


def build_flow(kind, features, layers, hidden, context, blocks, batch_norm, dropout=0.0, bins=4, tail_bound=3.0,
               masks="random"):
    """masks: "random", "alternating" or a list of one 0/1 list per layer."""
    net = residual_net_factory(hidden, context, blocks, dropout, batch_norm)
    transforms = []
    for l in range(layers):
        if isinstance(masks, list):
            mask = torch.tensor(masks[l])
        elif masks == "random":
            mask = torchutils.create_random_binary_mask(features)
        else:
            mask = torchutils.create_alternating_binary_mask(features, even=(l % 2 == 0))
        if kind == "rqs":
            transforms.append(PiecewiseRationalQuadraticCouplingTransform(
                mask=mask, transform_net_create_fn=net, num_bins=bins, tails="linear", tail_bound=tail_bound))
        else:
            transforms.append(AffineCouplingTransform(mask=mask, transform_net_create_fn=net))
    return Flow(CompositeTransform(transforms), StandardNormal([features]))


def contexts(rows, context):
    """(scaled mass ~ N(0, 1), n in 1..5) for C = 2; none for C <= 0."""
    if context <= 0:
        return None
    c = torch.randn(rows, context, dtype=torch.float64)
    if context >= 2:
        c[:, 1] = torch.randint(1, 6, (rows,), dtype=torch.float64)
    return c


def make_non_trivial(flow, context, scale=0.2):
    """Perturb every parameter (away from nflows' near-identity start), then a few training-mode batches
    so that batch-norm running statistics are not the initial 0 / 1."""
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(scale * torch.randn_like(p))
        flow.train()
        for _ in range(4):
            x = 1.2 * torch.randn(64, flow._distribution._shape[0], dtype=torch.float64) + 0.2
            flow.log_prob(x, context=contexts(64, context))
        round_to_float32(flow.state_dict().values())
    flow.eval()


def round_to_float32(tensors):
    """Make float64 values exactly representable in float32, so that the f32 check of the C++ test measures
    float32 arithmetic, not the rounding of weights and inputs."""
    for t in tensors:
        if t.dtype == torch.float64:
            t.copy_(t.float().double())


def fixture_inputs(features, tail_bound):
    """12 ordinary rows, then 4 rows whose every other entry is in a tail or exactly at +-B."""
    x = 1.5 * torch.randn(16, features, dtype=torch.float64)
    B = tail_bound
    tails = [-B - 1.5, B + 0.2, B, -B, 2 * B, -3 * B]
    for r in range(12, 16):
        for i in range(features):
            if (r + i) % 2 == 0:
                x[r, i] = tails[(r + i) // 2 % len(tails)]
    return x


def evaluate(flow, x, c, z, zc):
    """nflows' log_prob, latent points, inverse samples and their log|det|, in float64, eval mode."""
    dtype = next(flow.parameters()).dtype
    cast = (lambda t: None if t is None else t.to(dtype))
    with torch.no_grad():
        log_prob = flow.log_prob(cast(x), context=cast(c))
        latent, _ = flow._transform(cast(x), context=cast(c))
        samples, samples_logabsdet = flow._transform.inverse(cast(z), context=cast(zc))
    return [t.double() for t in (log_prob, latent, samples, samples_logabsdet)]


def max_relative_error(got, expected):
    """max |got - expected| / max(1, |expected|), the measure of the C++ test."""
    return float(((got - expected).abs() / expected.abs().clamp(min=1.0)).max())


def record(flow, name, out_dir, kind, context, tail_bound, dropout):
    """Import the flow with bin/import and write NAME_fixture.h5 with nflows' numbers."""
    features = flow._distribution._shape[0]
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, f"{name}.pt")
        torch.save(flow.state_dict(), state)
        if run_import(state, os.path.join(out_dir, f"{name}_flow.h5"), "--coupling", kind, "--tail-bound",
                      str(tail_bound), "--dropout", str(dropout)) != 0:
            raise SystemExit(f"importing {name} failed")
    x = fixture_inputs(features, tail_bound)
    c = contexts(x.shape[0], context)
    z = torch.randn(12, features, dtype=torch.float64)
    z[10, :] = torch.linspace(-4.0, 4.0, features, dtype=torch.float64)  # a latent point in the tails
    zc = contexts(z.shape[0], context)
    round_to_float32([t for t in (x, c, z, zc) if t is not None])
    reference = evaluate(flow, x, c, z, zc)
    # nflows' own float32 run must stay within half the C++ test's 1e-5, or the fixture is too steep to test f32.
    f32_error = max(max_relative_error(a, b) for a, b in zip(evaluate(copy.deepcopy(flow).float(), x, c, z, zc),
                                                             reference))
    if f32_error > 5e-6:
        raise SystemExit(f"{name}: nflows in float32 is {f32_error:.2e} (relative) from float64; pick gentler weights")
    log_prob, latent, samples, samples_logabsdet = reference
    tensors = {"inputs": x.numpy(), "log_prob": log_prob.numpy(), "latent": latent.numpy(), "z": z.numpy(),
               "samples": samples.numpy(), "samples_logabsdet": samples_logabsdet.numpy()}
    if c is not None:
        tensors["context"] = c.numpy()
        tensors["z_context"] = zc.numpy()
    import nflows
    attributes = {"made_by": SCRIPT, "nflows_version": getattr(nflows, "__version__", "0.14"),
                  "torch_version": torch.__version__, "nflows_f32_max_relative_error": f32_error}
    write_checkpoint(os.path.join(out_dir, f"{name}_fixture.h5"), tensors, attributes)


def make_fixtures(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(20221011)
    # (a) 3 RQS layers, D = 6, context (m~, n), batch norm, K = 4, B = 3, random masks.
    rqs = build_flow("rqs", features=6, layers=3, hidden=8, context=2, blocks=2, batch_norm=True, dropout=0.1,
                     bins=4, tail_bound=3.0).double()
    make_non_trivial(rqs, context=2)
    record(rqs, "rqs", out_dir, "rqs", context=2, tail_bound=3.0, dropout=0.1)
    # (b) 2 affine layers, D = 6, nflows' context_features = 0 quirk (bias-only context layers), alternating masks.
    affine = build_flow("affine", features=6, layers=2, hidden=8, context=0, blocks=1, batch_norm=False,
                        masks="alternating").double()
    make_non_trivial(affine, context=0)
    record(affine, "affine", out_dir, "affine", context=0, tail_bound=3.0, dropout=0.0)


def make_talk_model(path):
    """flow-model.md §5: 15 RQS layers, D = 90, K = 5, H = 256, 2 blocks, no batch norm, context_features = 0."""
    torch.manual_seed(1)
    flow = build_flow("rqs", features=90, layers=15, hidden=256, context=0, blocks=2, batch_norm=False, bins=5,
                      tail_bound=6.0)
    count = sum(p.numel() for p in flow.parameters())
    print(f"nflows parameter count: {count:,} ({count // 15:,} per coupling layer)")
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "talk.pt")
        torch.save(flow.state_dict(), state)
        return run_import(state, path, "--coupling", "rqs", "--tail-bound", "6")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", nargs="?", help="folder for the fixtures (e.g. tests/fixtures/nflows)")
    ap.add_argument("--talk-model", help="write the imported 15-layer talk-sized flow here instead")
    args = ap.parse_args(argv)
    if args.talk_model:
        return make_talk_model(args.talk_model)
    if not args.out_dir:
        ap.error("give the output folder or --talk-model")
    make_fixtures(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
