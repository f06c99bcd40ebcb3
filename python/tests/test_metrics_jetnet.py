"""flowjet.metrics against jetnet 0.2.5 itself on the same arrays and random draws (skipped, with
the reason shown, where jetnet or its dependencies are not installed: docs/python.md)."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import flowjet.metrics as fm

gen_metrics = pytest.importorskip("jetnet.evaluation.gen_metrics", reason="jetnet 0.2.5 is not importable")

# Values agree to float32 rounding: jetnet computes in the input's dtype (float32 here; its jet
# masses are float32 sums of four-vectors), flowjet in double.
REL = 1e-5


def same_draws(seed):
    fm.rng = np.random.default_rng(seed)
    gen_metrics.rng = np.random.default_rng(seed)


@pytest.mark.parametrize("name", fm.__all__[:-1])
def test_signatures_match_jetnet(name):
    ours = inspect.signature(getattr(fm, name)).parameters
    theirs = inspect.signature(getattr(gen_metrics, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_w1_metrics_equal_jetnet(samples):
    g, q = samples["g"], samples["q"]
    for name, kwargs in [("w1m", {}), ("w1p", {}), ("w1efp", {"efp_jobs": 1}),
                         ("w1m", {"return_std": False}), ("w1p", {"return_std": False})]:
        same_draws(11)
        ours = getattr(fm, name)(g, q, num_eval_samples=1000, num_batches=3, **kwargs)
        same_draws(11)
        theirs = getattr(gen_metrics, name)(g, q, num_eval_samples=1000, num_batches=3, **kwargs)
        assert type(ours) is type(theirs)
        ours, theirs = (ours, theirs) if isinstance(ours, tuple) else ((ours,), (theirs,))
        # the stds (differences of nearly equal W1s) are held to the means' scale
        scale = np.max(np.abs(theirs[0]))
        for a, b in zip(ours, theirs):
            assert np.shape(a) == np.shape(b), name
            np.testing.assert_allclose(a, b, rtol=REL, atol=REL * scale, err_msg=f"{name} {kwargs}")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_w1p_with_masks_equals_jetnet(samples):
    g, q = samples["g"], samples["q"]
    mask1 = np.random.default_rng(1).random(g.shape[:2]) < 0.8
    mask2 = np.random.default_rng(2).random(q.shape[:2]) < 0.8
    same_draws(5)
    ours = fm.w1p(g, q, mask1=mask1, mask2=mask2, num_eval_samples=500, num_batches=2)
    same_draws(5)
    theirs = gen_metrics.w1p(g, q, mask1=mask1, mask2=mask2, num_eval_samples=500, num_batches=2)
    np.testing.assert_allclose(ours, theirs, rtol=REL)


def test_cov_mmd_equals_jetnet(samples):
    same_draws(3)
    ours = fm.cov_mmd(samples["g"], samples["q"], num_eval_samples=40, num_batches=2)
    same_draws(3)
    theirs = gen_metrics.cov_mmd(samples["g"], samples["q"], num_eval_samples=40, num_batches=2, use_tqdm=False)
    np.testing.assert_allclose(ours, theirs, rtol=REL)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fpd_kpd_and_their_features_equal_jetnet(samples):
    ours = fm.get_fpd_kpd_jet_features(samples["g"][:500])
    theirs = gen_metrics.get_fpd_kpd_jet_features(samples["g"][:500], efp_jobs=1)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)  # jetnet's EFPs are float32
    real, gen = fm.get_fpd_kpd_jet_features(samples["g"]), fm.get_fpd_kpd_jet_features(samples["q"])
    settings = {"min_samples": 500, "max_samples": 1500, "num_batches": 3, "num_points": 4, "seed": 9}
    np.testing.assert_allclose(fm.fpd(real, gen, **settings), gen_metrics.fpd(real, gen, **settings), rtol=1e-6)
    np.testing.assert_allclose(fm.kpd(real, gen, num_batches=4, batch_size=800, seed=9),
                               gen_metrics.kpd(real, gen, num_batches=4, batch_size=800, seed=9), rtol=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fpnd_equals_jetnet(samples):
    pytest.importorskip("torch_geometric", reason="torch_geometric (jetnet's ParticleNet) is not installed")
    pytest.importorskip("torch_cluster", reason="torch_cluster (jetnet's ParticleNet) is not installed")
    q = samples["q"][:500]
    assert fm.fpnd(q, "g") == pytest.approx(gen_metrics.fpnd(q, "g", device="cpu", use_tqdm=False), rel=1e-4)
