"""jetnet 0.2.5's ``jetnet.evaluation`` generative metrics computed by flowjet's C++ library.

``import flowjet.metrics as evaluation`` stands in for ``from jetnet import evaluation``: the
functions take the same arguments with the same defaults and return the same shapes. The W1 and
COV/MMD batches are drawn here exactly as jetnet draws them (``rng.choice(len, size)`` from this
module's ``rng``, first sample then second, batch by batch), so with ``rng`` and jetnet's
``jetnet.evaluation.gen_metrics.rng`` seeded alike the values agree; FPD and KPD are seeded like
jetnet's (numpy's PCG64, reproduced in C++). Where flowjet computes a subset of jetnet's options,
the others raise ValueError naming the argument (docs/python.md).
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np

from . import _core

__all__ = ["w1m", "w1p", "w1efp", "cov_mmd", "fpnd", "fpd", "kpd", "get_fpd_kpd_jet_features", "rng"]

# jetnet's module-level generator, unseeded as there; seed it (or replace it) for repeatable draws.
rng = np.random.default_rng()
# jetnet's functions read `rng` from jetnet.evaluation.gen_metrics, so scripts seed
# `evaluation.gen_metrics.rng`; the same line works here.
gen_metrics = sys.modules[__name__]

_DEFAULT_EFPSET_ARGS = [("n==", 4), ("d==", 4), ("p==", 1)]
_RECOMMENDED_JETS = 50_000


def _as_array(x) -> np.ndarray:
    """numpy view of an array-like (a CPU torch tensor too, as jetnet accepts one)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _check_jets(jets: np.ndarray, name: str, min_features: int = 3) -> None:
    if jets.ndim != 3 or jets.shape[2] < min_features:
        raise ValueError(f"{name}: expected jets [num_jets, num_particles, >= {min_features} features], "
                         f"got shape {jets.shape}")


def _warn_w1_sample_size(jets1, jets2) -> None:
    if len(jets1) < _RECOMMENDED_JETS or len(jets2) < _RECOMMENDED_JETS:
        warnings.warn("Recommended number of jets for W1 estimation is 50,000", RuntimeWarning, stacklevel=3)


def _draw_batches(n1: int, n2: int, num_eval_samples: int, num_batches: int):
    """Index batches [num_batches, num_eval_samples] into both samples, in jetnet's draw order."""
    first, second = [], []
    for _ in range(num_batches):
        first.append(rng.choice(n1, size=num_eval_samples))
        second.append(rng.choice(n2, size=num_eval_samples))
    shape = (num_batches, num_eval_samples)
    return (np.asarray(first, dtype=np.int64).reshape(shape), np.asarray(second, dtype=np.int64).reshape(shape))


def w1m(jets1, jets2, num_eval_samples: int = 50_000, num_batches: int = 5, return_std: bool = True):
    """W1 between the jet masses of ``jets1`` and ``jets2`` ([N, P, 3]: eta_rel, phi_rel, pt_rel).

    Returns (mean, std) over the batches; as jetnet 0.2.5, (mean, mean) when return_std is False.
    """
    jets1, jets2 = _as_array(jets1), _as_array(jets2)
    _check_jets(jets1, "jets1")
    _check_jets(jets2, "jets2")
    if jets1.shape[2] != 3 or jets2.shape[2] != 3:
        raise ValueError("w1m: flowjet takes jets with exactly 3 features (eta_rel, phi_rel, pt_rel); "
                         f"got {jets1.shape[2]} and {jets2.shape[2]} (particle masses are not supported)")
    _warn_w1_sample_size(jets1, jets2)
    indices1, indices2 = _draw_batches(len(jets1), len(jets2), num_eval_samples, num_batches)
    w1s = _core.w1m_batches(jets1, jets2, indices1, indices2)[:, 0]
    # jetnet 0.2.5 returns a pair either way (its `return_std` only swaps the second element).
    return np.mean(w1s), np.std(w1s) if return_std else np.mean(w1s)


def w1p(jets1, jets2, mask1=None, mask2=None, exclude_zeros: bool = True, num_particle_features: int = 0,
        num_eval_samples: int = 50_000, num_batches: int = 5, return_std: bool = True):
    """W1 of each particle feature (eta_rel, phi_rel, pt_rel) over the batches' particles.

    Returns (means [3], stds [3]), or means alone when return_std is False. Masked-out particles
    (mask 0) and zero-padded ones are left out. flowjet computes the three JetNet features only:
    num_particle_features must be 0 (all, with 3-feature jets) or 3, and exclude_zeros True.
    """
    jets1, jets2 = _as_array(jets1), _as_array(jets2)
    if jets1.ndim != 3 or jets2.ndim != 3:
        raise ValueError(f"w1p: input jets format is incorrect: shapes {jets1.shape} and {jets2.shape}")
    _warn_w1_sample_size(jets1, jets2)
    features = jets1.shape[2] if num_particle_features <= 0 else num_particle_features
    if features != 3 or jets1.shape[2] < 3 or jets2.shape[2] < 3:
        raise ValueError(f"w1p: flowjet computes W1 of the 3 particle features (eta_rel, phi_rel, pt_rel); "
                         f"num_particle_features={num_particle_features} with jets of {jets1.shape[2]} features "
                         "asks for another set")
    if not exclude_zeros:
        raise ValueError("w1p: exclude_zeros=False is not supported (flowjet always leaves out zero-padded "
                         "particles)")
    jets1 = _apply_mask(jets1[:, :, :3], mask1, "mask1")
    jets2 = _apply_mask(jets2[:, :, :3], mask2, "mask2")
    indices1, indices2 = _draw_batches(len(jets1), len(jets2), num_eval_samples, num_batches)
    w1s = _core.w1p_batches(jets1, jets2, indices1, indices2)
    means, stds = np.mean(w1s, axis=0), np.std(w1s, axis=0)
    return (means, stds) if return_std else means


def _apply_mask(jets: np.ndarray, mask, name: str) -> np.ndarray:
    """Zeroes the particles whose mask is 0: with exclude_zeros they drop out as jetnet's mask does."""
    if mask is None:
        return jets
    mask = _as_array(mask).reshape(jets.shape[0], jets.shape[1]).astype(bool)
    return np.where(mask[:, :, None], jets, 0.0)


def w1efp(jets1, jets2, use_particle_masses: bool = False, efpset_args: list | None = None,
          num_eval_samples: int = 50_000, num_batches: int = 5, return_std: bool = True,
          efp_jobs: int | None = None):
    """W1 of each of the five n = 4, d = 4 prime EFPs (jetnet's default ``efpset_args``).

    Returns (means [5], stds [5]), or means alone when return_std is False. efp_jobs is accepted
    for compatibility; flowjet's thread pool (flowjet.set_num_threads) does the work.
    """
    if efpset_args is not None and list(efpset_args) != _DEFAULT_EFPSET_ARGS:
        raise ValueError(f"w1efp: efpset_args={efpset_args!r}: flowjet computes the default set "
                         f"{_DEFAULT_EFPSET_ARGS!r} only")
    if use_particle_masses:
        raise ValueError("w1efp: use_particle_masses=True is not supported (massless particles only)")
    jets1, jets2 = _as_array(jets1), _as_array(jets2)
    _warn_w1_sample_size(jets1, jets2)
    _check_jets(jets1, "jets1")
    _check_jets(jets2, "jets2")
    indices1, indices2 = _draw_batches(len(jets1), len(jets2), num_eval_samples, num_batches)
    w1s = _core.w1efp_batches(jets1, jets2, indices1, indices2)
    means, stds = np.mean(w1s, axis=0), np.std(w1s, axis=0)
    return (means, stds) if return_std else means


def cov_mmd(real_jets, gen_jets, num_eval_samples: int = 100, num_batches: int = 10, use_tqdm: bool = True):
    """Coverage and MMD between real and generated jets with the jet EMD: (cov, mmd), each the mean
    over the batches. use_tqdm is accepted for compatibility (no progress bar is drawn)."""
    real_jets, gen_jets = _as_array(real_jets), _as_array(gen_jets)
    _check_jets(real_jets, "real_jets")
    _check_jets(gen_jets, "gen_jets")
    real_indices, gen_indices = _draw_batches(len(real_jets), len(gen_jets), num_eval_samples, num_batches)
    covs, mmds, notes = _core.cov_mmd_batches(real_jets, gen_jets, real_indices, gen_indices)
    for note in notes:
        warnings.warn(note, RuntimeWarning, stacklevel=2)
    return np.mean(covs), np.mean(mmds)


def _fpnd_directory() -> str:
    """FLOWJET_FPND_DIR when set, else the resources installed with this package."""
    return os.environ.get("FLOWJET_FPND_DIR") or os.path.join(os.path.dirname(__file__), "fpnd_resources")


def fpnd(jets, jet_type: str, dataset_name: str = "jetnet", device: str | None = None, batch_size: int = 16,
         use_tqdm: bool = True) -> float:
    """FPND of ``jets`` [N, 30, 3] against real jets of ``jet_type`` ('g', 'q' or 't'), on the
    first 50,000 jets. device None or "cpu" (this package is a CPU build); batch_size changes the
    speed only; use_tqdm is accepted for compatibility."""
    if dataset_name != "jetnet":
        raise ValueError(f"fpnd: dataset_name={dataset_name!r}: only 'jetnet' is supported")
    if device not in (None, "cpu"):
        raise ValueError(f"fpnd: device={device!r}: this flowjet package is a CPU build; use None or 'cpu'")
    jets = _as_array(jets)
    if jets.ndim != 3 or jets.shape[1] != 30 or jets.shape[2] != 3:
        raise ValueError(f"fpnd: expected jets [num_jets, 30, 3] (JetNet, 30 particles), got shape {jets.shape}")
    if len(jets) < _RECOMMENDED_JETS:
        warnings.warn("Recommended number of jets for FPND calculation is 50000", RuntimeWarning, stacklevel=2)
    value, _ = _core.fpnd(jets, jet_type, _fpnd_directory(), _RECOMMENDED_JETS, batch_size)
    return value


def get_fpd_kpd_jet_features(jets, efp_jobs: int | None = None) -> np.ndarray:
    """The 36 EFPs with d <= 4 of every jet ([N, 36]), the recommended features of fpd and kpd.
    efp_jobs is accepted for compatibility."""
    jets = _as_array(jets)
    _check_jets(jets, "jets")
    return _core.fpd_kpd_jet_features(jets)


def _check_features(real_features, gen_features):
    x, y = _as_array(real_features), _as_array(gen_features)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"expected features [num_samples, num_features] with the same number of features, "
                         f"got shapes {x.shape} and {y.shape}")
    return x, y


def fpd(real_features, gen_features, min_samples: int = 20_000, max_samples: int = 50_000, num_batches: int = 20,
        num_points: int = 10, normalise: bool = True, seed: int = 42) -> tuple[float, float]:
    """Fréchet physics distance: (value, error) of the fit extrapolated to infinite sample size."""
    x, y = _check_features(real_features, gen_features)
    if len(x) < _RECOMMENDED_JETS or len(y) < _RECOMMENDED_JETS:
        warnings.warn("Recommended number of samples for FPD estimation is 50,000", RuntimeWarning, stacklevel=2)
    value, error, _ = _core.fpd(x, y, min_samples, max_samples, num_batches, num_points, normalise, seed)
    return value, error


def kpd(real_features, gen_features, num_batches: int = 10, batch_size: int = 5_000, normalise: bool = True,
        seed: int = 42, num_threads: int | None = None) -> tuple[float, float]:
    """Kernel physics distance: (median, error) over the batches.

    The batches always use jetnet's default stream (num_threads=None: numpy.random.default_rng(seed
    + 1000 i) for batch i) and run in parallel on flowjet's thread pool. jetnet's num_threads path
    draws from numpy's legacy generator instead, so its values differ; passing num_threads here
    warns and gives the default stream's values.
    """
    if num_threads is not None:
        warnings.warn("kpd: num_threads is ignored; the values are those of jetnet's num_threads=None "
                      "(flowjet.set_num_threads sets the threads)", RuntimeWarning, stacklevel=2)
    x, y = _check_features(real_features, gen_features)
    return _core.kpd(x, y, num_batches, batch_size, normalise, seed)
