#!/usr/bin/env python3
"""Convert an nflows coupling flow (a PyTorch state_dict) into a flowjet flow checkpoint.

The flow must be what the talk used (flow-model.md): a CompositeTransform of
PiecewiseRationalQuadraticCouplingTransform (linear tails) or AffineCouplingTransform layers,
each with a ResidualNet conditioner. Shapes (features, layers, hidden width, blocks, batch norm,
context features, bins) are read from the tensors; what the state_dict does not hold (coupling
kind, tail bound, dropout) comes from flags or a JSON file of hyper-parameters.

    nflows_to_flowjet.py flow_state.pt flow.h5 --coupling rqs --tail-bound 6
    nflows_to_flowjet.py flow_state.pt flow.h5 --hparams hparams.json

Needs torch (to read the .pt file), numpy and h5py; see requirements-nflows.txt.
"""
import argparse
import json
import os
import re
import sys
from collections import OrderedDict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowjet_checkpoint import write_checkpoint  # noqa: E402

# Hyper-parameters the user may give (flags or JSON keys) and their defaults when the tensors do not fix them.
HPARAM_KEYS = ("coupling", "tail_bound", "bins", "hidden_features", "num_blocks", "context_features", "dropout",
               "batch_norm", "dtype", "mask", "features_per_particle", "seed")
DEFAULTS = {"tail_bound": 6.0, "dropout": 0.0, "features_per_particle": 3, "seed": 0}

# nflows name inside one coupling layer -> flowjet name (flows/coupling, flows/conditioner/residual_net.cpp).
_LAYER_RULES = [
    (re.compile(r"^transform_net\.initial_layer\.(weight|bias)$"), "conditioner.initial_layer.{0}"),
    (re.compile(r"^transform_net\.final_layer\.(weight|bias)$"), "conditioner.final_layer.{0}"),
    (re.compile(r"^transform_net\.blocks\.(\d+)\.linear_layers\.([01])\.(weight|bias)$"),
     "conditioner.blocks.{0}.linear_{1}.{2}"),
    (re.compile(r"^transform_net\.blocks\.(\d+)\.batch_norm_layers\.([01])\.(weight|bias|running_mean|running_var)$"),
     "conditioner.blocks.{0}.batch_norm_{1}.{2}"),
    (re.compile(r"^transform_net\.blocks\.(\d+)\.context_layer\.(weight|bias)$"), "conditioner.blocks.{0}.context_layer.{1}"),
]
# Tensors of nflows that flowjet does not keep: PyTorch's batch counter (unused with momentum 0.1).
_DROPPED = re.compile(r"^transform_net\.blocks\.\d+\.batch_norm_layers\.[01]\.num_batches_tracked$")
_LAYER_KEY = re.compile(r"^(.*?)_transforms\.(\d+)\.(.+)$")


class ConversionError(ValueError):
    pass


def map_layer_name(name):
    """flowjet name (relative to transforms.N.) of an nflows coupling-layer tensor; None when dropped."""
    if _DROPPED.match(name):
        return None
    for pattern, template in _LAYER_RULES:
        m = pattern.match(name)
        if m:
            return template.format(*m.groups())
    raise ConversionError(f"unknown nflows tensor '{name}' in a coupling layer (only ResidualNet conditioners "
                          "of RQS/affine coupling transforms are supported)")


def split_layers(state):
    """{layer index: {name inside the layer: array}} from the keys '<prefix>_transforms.<l>.<name>'."""
    layers, prefixes, ignored = {}, set(), []
    for key, value in state.items():
        m = _LAYER_KEY.match(key)
        if not m:
            ignored.append(key)
            continue
        prefixes.add(m.group(1))
        layers.setdefault(int(m.group(2)), {})[m.group(3)] = value
    if not layers:
        raise ConversionError("no '_transforms.<N>.' tensors found: not an nflows CompositeTransform state_dict")
    if len(prefixes) != 1:
        raise ConversionError(f"coupling layers under several prefixes {sorted(prefixes)}: convert one flow at a time")
    if sorted(layers) != list(range(len(layers))):
        raise ConversionError(f"coupling layer indices {sorted(layers)} are not 0..{len(layers) - 1}")
    return [layers[i] for i in range(len(layers))], ignored


def layer_mask(index, layer):
    """Mask (1 transformed, 0 identity) from nflows' identity_features/transform_features index buffers."""
    try:
        identity = np.asarray(layer["identity_features"], dtype=np.int64)
        transform = np.asarray(layer["transform_features"], dtype=np.int64)
    except KeyError as e:
        raise ConversionError(f"coupling layer {index}: missing buffer {e} (is it a coupling transform?)") from None
    features = identity.size + transform.size
    mask = np.zeros(features, dtype=np.int64)
    mask[transform] = 1
    if sorted(np.concatenate([identity, transform]).tolist()) != list(range(features)):
        raise ConversionError(f"coupling layer {index}: identity {identity.tolist()} and transform "
                              f"{transform.tolist()} features do not partition 0..{features - 1}")
    return mask


def infer_layer_shape(index, layer, mask):
    """Shape hyper-parameters that the tensors of one layer fix."""
    def shape(name):
        key = "transform_net." + name
        if key not in layer:
            raise ConversionError(f"coupling layer {index}: missing tensor '{key}'")
        return tuple(layer[key].shape)

    hidden, in_total = shape("initial_layer.weight")
    out = shape("final_layer.weight")[0]
    blocks = sorted({int(m.group(1)) for m in (re.match(r"transform_net\.blocks\.(\d+)\.", k) for k in layer) if m})
    if blocks != list(range(len(blocks))):
        raise ConversionError(f"coupling layer {index}: residual blocks {blocks} are not 0..{len(blocks) - 1}")
    has_bn = any("batch_norm_layers" in k for k in layer)
    context = -1
    if "transform_net.blocks.0.context_layer.weight" in layer:
        context = layer["transform_net.blocks.0.context_layer.weight"].shape[1]
    identity, transformed = int((mask <= 0).sum()), int((mask > 0).sum())
    if in_total != identity + max(context, 0):
        raise ConversionError(f"coupling layer {index}: initial_layer takes {in_total} inputs but the mask has "
                              f"{identity} identity features and there are {max(context, 0)} context features")
    if out % transformed != 0:
        raise ConversionError(f"coupling layer {index}: final_layer has {out} outputs, not a multiple of the "
                              f"{transformed} transformed features")
    return {"hidden_features": hidden, "num_blocks": len(blocks), "batch_norm": has_bn, "context_features": context,
            "params_per_feature": out // transformed}


def resolve_spec(shapes, masks, given):
    """The flowjet FlowSpec fields: shapes from the tensors (checked against `given`), the rest from `given`."""
    first = shapes[0]
    for i, s in enumerate(shapes):
        if s != first:
            raise ConversionError(f"coupling layer {i} has shape {s} but layer 0 has {first}: flowjet builds "
                                  "every layer alike")
    coupling = given.get("coupling")
    if coupling not in ("rqs", "affine"):
        raise ConversionError("the coupling kind is not in the state_dict: give --coupling rqs or affine")
    P = first["params_per_feature"]
    if coupling == "affine":
        if P != 2:
            raise ConversionError(f"affine coupling needs 2 parameters per transformed feature, the tensors have {P}")
        bins = int(given.get("bins", 5))
    else:
        if (P + 1) % 3 != 0:
            raise ConversionError(f"{P} parameters per transformed feature is not 3K - 1 (RQS with linear tails)")
        bins = (P + 1) // 3
    spec = {"features": int(masks[0].size), "coupling_layers": len(masks), "coupling": coupling, "bins": bins,
            "hidden_features": first["hidden_features"], "num_blocks": first["num_blocks"],
            "context_features": first["context_features"], "batch_norm": first["batch_norm"]}
    for key in ("bins", "hidden_features", "num_blocks", "context_features", "batch_norm"):
        if key in given and given[key] != spec[key] and not (coupling == "affine" and key == "bins"):
            raise ConversionError(f"--{key.replace('_', '-')} {given[key]} disagrees with the tensors ({spec[key]})")
    for key in ("tail_bound", "dropout", "features_per_particle", "seed"):
        spec[key] = given.get(key, DEFAULTS[key])
    spec["mask"] = given.get("mask") or mask_kind(masks)
    check_mask_counts(masks, spec)
    return spec


def alternating(features, even):
    """flowjet's alternating_mask (flows/masks.cpp): 1 at even indices when `even`, else at odd ones."""
    return np.array([1 if (i % 2 == 0) == even else 0 for i in range(features)], dtype=np.int64)


def mask_kind(masks):
    """'alternating' when every mask is the one flowjet would build for its layer, else 'random'."""
    if all(np.array_equal(m, alternating(m.size, l % 2 == 0)) for l, m in enumerate(masks)):
        return "alternating"
    return "random"


def check_mask_counts(masks, spec):
    """flowjet sizes each conditioner from the mask its own constructor draws; the stored masks must agree."""
    D = spec["features"]
    for l, m in enumerate(masks):
        if m.size != D:
            raise ConversionError(f"coupling layer {l} has {m.size} features, layer 0 has {D}")
        if spec["mask"] == "alternating":
            expected = int(alternating(D, l % 2 == 0).sum())
        elif spec["mask"] == "particle":  # ceil(P/2) whole particles of features_per_particle features
            per = spec["features_per_particle"]
            expected = (D // per + 1) // 2 * per
        else:
            expected = (D + 1) // 2
        if int(m.sum()) != expected:
            raise ConversionError(f"coupling layer {l} transforms {int(m.sum())} features; a flowjet flow with "
                                  f"{spec['mask']} masks transforms {expected}")


def convert(state, given):
    """(tensors, attributes) of the flowjet checkpoint for an nflows state_dict {name: numpy array}."""
    layers, ignored = split_layers(state)
    masks = [layer_mask(i, layer) for i, layer in enumerate(layers)]
    shapes = [infer_layer_shape(i, layer, mask) for i, (layer, mask) in enumerate(zip(layers, masks))]
    spec = resolve_spec(shapes, masks, given)
    float_dtypes = {np.asarray(v).dtype for layer in layers for k, v in layer.items()
                    if np.asarray(v).dtype.kind == "f"}
    dtype = given.get("dtype") or ("f64" if float_dtypes == {np.dtype(np.float64)} else "f32")
    np_dtype = np.float64 if dtype == "f64" else np.float32
    tensors = OrderedDict()
    for l, (layer, mask) in enumerate(zip(layers, masks)):
        for name, value in layer.items():
            if name in ("identity_features", "transform_features"):
                continue
            target = map_layer_name(name)
            if target is not None:
                tensors[f"transforms.{l}.{target}"] = np.asarray(value).astype(np_dtype)
        tensors[f"transforms.{l}.mask"] = mask.astype(np_dtype)
    attributes = {f"flow.{k}": v for k, v in spec.items()}
    attributes["flow.seed"] = str(int(spec["seed"]))  # flowjet keeps the uint64 seed as a decimal string
    attributes["flow.batch_norm"] = int(spec["batch_norm"])
    attributes["flow.tail_bound"] = float(spec["tail_bound"])
    attributes["flow.dropout"] = float(spec["dropout"])
    attributes["flow.dtype"] = dtype
    attributes["import.source"] = "nflows"
    return tensors, attributes, ignored


def load_state_dict(path):
    """{name: numpy array} from a torch.save'd state_dict (or a checkpoint dict holding one under 'state_dict')."""
    import torch

    obj = torch.load(path, map_location="cpu")
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise ConversionError(f"{path}: expected a state_dict (a dict of tensors), got {type(obj).__name__}")
    return OrderedDict((k, v.detach().cpu().numpy()) for k, v in obj.items() if hasattr(v, "detach"))


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("state_dict", help="torch.save'd state_dict of an nflows Flow (or its CompositeTransform)")
    ap.add_argument("output", help="flowjet checkpoint to write (HDF5)")
    ap.add_argument("--hparams", help="JSON file with any of: " + ", ".join(HPARAM_KEYS))
    ap.add_argument("--coupling", choices=("rqs", "affine"))
    ap.add_argument("--tail-bound", type=float, help="B of the spline (default 6)")
    ap.add_argument("--bins", type=int, help="K (checked against the tensors)")
    ap.add_argument("--hidden-features", type=int, help="H (checked against the tensors)")
    ap.add_argument("--num-blocks", type=int, help="residual blocks (checked against the tensors)")
    ap.add_argument("--context-features", help="C, or 'none' (checked against the tensors)")
    ap.add_argument("--dropout", type=float, help="dropout probability of the conditioners (default 0)")
    ap.add_argument("--batch-norm", choices=("true", "false"), help="(checked against the tensors)")
    ap.add_argument("--dtype", choices=("f32", "f64"), help="dtype of the checkpoint (default: the state_dict's)")
    ap.add_argument("--mask", choices=("alternating", "random", "particle"),
                    help="mask kind recorded in the spec (default: alternating if the masks are, else random)")
    ap.add_argument("--features-per-particle", type=int)
    ap.add_argument("--seed", type=int, help="seed recorded in the spec (default 0)")
    return ap.parse_args(argv)


def gather_hparams(args):
    given = {}
    if args.hparams:
        with open(args.hparams) as f:
            given = json.load(f)
        unknown = sorted(set(given) - set(HPARAM_KEYS))
        if unknown:
            raise ConversionError(f"{args.hparams}: unknown keys {unknown} (known: {', '.join(HPARAM_KEYS)})")
    for key in HPARAM_KEYS:
        value = getattr(args, key, None)
        if value is not None:
            given[key] = value
    if "context_features" in given:
        # "none" (flag) or null (JSON): no context at all, flowjet's -1.
        value = given["context_features"]
        given["context_features"] = -1 if value in (None, "none") else int(value)
    if isinstance(given.get("batch_norm"), str):
        given["batch_norm"] = given["batch_norm"] == "true"
    return given


def main(argv=None):
    args = parse_args(argv)
    try:
        given = gather_hparams(args)
        tensors, attributes, ignored = convert(load_state_dict(args.state_dict), given)
        attributes["import.file"] = os.path.basename(args.state_dict)
        write_checkpoint(args.output, tensors, attributes)
    except (ConversionError, OSError) as e:
        print(f"nflows_to_flowjet: {args.state_dict}: {e}", file=sys.stderr)
        return 1
    if ignored:
        print(f"ignored {len(ignored)} tensors outside the coupling layers: {', '.join(ignored[:5])}"
              + (" ..." if len(ignored) > 5 else ""), file=sys.stderr)
    count = sum(v.size for k, v in tensors.items() if "running_" not in k and not k.endswith(".mask"))
    print(f"wrote {args.output}: {attributes['flow.coupling_layers']} {attributes['flow.coupling']} layers, "
          f"{attributes['flow.features']} features, {count:,} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
