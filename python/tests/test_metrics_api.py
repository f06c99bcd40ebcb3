"""flowjet.metrics' jetnet conventions that need no jetnet: draws from the module's rng, return
shapes, accepted inputs, and errors that name the argument or carry the C++ message."""
from __future__ import annotations


import numpy as np
import pytest

import flowjet
import flowjet.metrics as fm
from conftest import assert_releases_gil

pytestmark = pytest.mark.filterwarnings("ignore:Recommended number:RuntimeWarning")


def test_results_follow_the_module_rng(samples):
    g, q = samples["g"], samples["q"]
    fm.rng = np.random.default_rng(1)
    first = fm.w1m(g, q, num_eval_samples=500, num_batches=2)
    fm.rng = np.random.default_rng(1)
    assert fm.w1m(g, q, num_eval_samples=500, num_batches=2) == first
    # the draws are jetnet's: per batch rng.choice(len(jets1), size) then rng.choice(len(jets2), size)
    rng = np.random.default_rng(1)
    batches = [(rng.choice(len(g), size=500), rng.choice(len(q), size=500)) for _ in range(2)]
    values = [flowjet._core.w1m_batches(g, q, a[None], b[None])[0, 0] for a, b in batches]
    assert first == (np.mean(values), np.std(values))


def test_return_shapes(samples):
    g, q = samples["g"], samples["q"]
    mean, std = fm.w1m(g, q, num_eval_samples=200, num_batches=2)
    assert np.ndim(mean) == 0 and np.ndim(std) == 0
    assert np.shape(fm.w1m(g, q, num_eval_samples=200, num_batches=2, return_std=False)) == (2,)  # jetnet's pair
    means, stds = fm.w1p(g, q, num_eval_samples=200, num_batches=2)
    assert means.shape == stds.shape == (3,)
    assert fm.w1p(g, q, num_eval_samples=200, num_batches=2, return_std=False).shape == (3,)
    means, stds = fm.w1efp(g[:300], q[:300], num_eval_samples=200, num_batches=2)
    assert means.shape == stds.shape == (5,)
    cov, mmd = fm.cov_mmd(g, q, num_eval_samples=20, num_batches=2)
    assert 0 <= cov <= 1 and mmd > 0


def test_accepts_float64_noncontiguous_and_torch_inputs(samples):
    torch = pytest.importorskip("torch")
    g = samples["g"]
    wide = np.concatenate([g, np.ones(g.shape[:2] + (1,), np.float32)], axis=2)  # a 4th feature (mask)
    fm.rng = np.random.default_rng(2)
    expected = fm.cov_mmd(g, g[::-1], num_eval_samples=10, num_batches=1)
    fm.rng = np.random.default_rng(2)
    assert fm.cov_mmd(torch.from_numpy(wide), g[::-1].astype(np.float64), num_eval_samples=10, num_batches=1) == expected


def test_unsupported_options_raise_value_error(samples):
    g = samples["g"]
    with pytest.raises(ValueError, match="exclude_zeros"):
        fm.w1p(g, g, exclude_zeros=False)
    with pytest.raises(ValueError, match="num_particle_features=2"):
        fm.w1p(g, g, num_particle_features=2)
    with pytest.raises(ValueError, match="efpset_args"):
        fm.w1efp(g, g, efpset_args=[("d<=", 4)])
    with pytest.raises(ValueError, match=r"\[num_jets, 30, 3\]"):
        fm.fpnd(g[:, :20], "g")
    with pytest.raises(ValueError, match="CPU build"):
        fm.fpnd(g, "g", device="cuda")
    with pytest.warns(RuntimeWarning, match="num_threads"):
        fm.kpd(np.ones((50, 4)) + np.arange(50)[:, None], np.ones((50, 4)), batch_size=10, num_batches=2,
               num_threads=2)


def test_library_errors_carry_the_cpp_message(samples):
    g = samples["g"].copy()
    g[7, 2, 2] = -0.5
    with pytest.raises(flowjet.DataError, match="pt") as error:
        fm.cov_mmd(g, samples["q"], num_eval_samples=10, num_batches=1)
    assert isinstance(error.value, flowjet.Error) and isinstance(error.value, RuntimeError)
    g[7, 2, 2] = np.nan
    with pytest.raises(flowjet.NumericError, match="jet 7"):
        fm.w1m(g, samples["q"], num_eval_samples=10, num_batches=1)
    with pytest.raises(flowjet.ConfigError, match="jet type .x."):
        fm.fpnd(samples["q"], "x")
    with pytest.raises(flowjet.ShapeError):
        flowjet._core.w1m_batches(samples["g"], samples["q"], np.array([[0, 5000]]), np.array([[0, 1]]))


def test_long_calls_release_the_gil(samples):
    assert_releases_gil(lambda: fm.w1efp(samples["g"], samples["q"], num_eval_samples=2000, num_batches=3))
