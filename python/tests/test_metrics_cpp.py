"""flowjet.metrics against the C++ library's own answers (bin/evaluate's JSON) on the same jets."""
from __future__ import annotations

import numpy as np
import pytest

import flowjet
import flowjet.metrics as fm
from conftest import SAMPLE_JETS, evaluate_json


@pytest.fixture(scope="module")
def full_preset(samples, tmp_path_factory):
    # The deterministic preset: every jet once in one batch; COV/MMD on the first 100 jets.
    return evaluate_json(samples, tmp_path_factory, "--preset", "full", "--cov-n", "100", "--metrics",
                         "w1m,w1p,w1efp,cov_mmd")


@pytest.fixture(scope="module")
def seeded_metrics(samples, tmp_path_factory):
    # FPND (first 50,000 jets), FPD and KPD with jetnet's default seed 42 and settings.
    return evaluate_json(samples, tmp_path_factory, "--preset", "jetnet", "--metrics", "fpnd,fpd,kpd")


def identity(n):
    return np.arange(n, dtype=np.int64)[None, :]


def test_w1_metrics_equal_bin_evaluate_on_the_same_batch(samples, full_preset):
    g, q = samples["g"], samples["q"]
    batch_g, batch_q = identity(len(g)), identity(len(q))
    w1m = flowjet._core.w1m_batches(g, q, batch_g, batch_q)
    assert w1m.shape == (1, 1)
    assert w1m[0, 0] == pytest.approx(full_preset["w1m"], rel=1e-12)
    w1p = flowjet._core.w1p_batches(g, q, batch_g, batch_q)
    assert w1p[0] == pytest.approx(full_preset["w1p_per_feature"]["mean"], rel=1e-12)
    w1efp = flowjet._core.w1efp_batches(g, q, batch_g, batch_q)
    assert w1efp[0] == pytest.approx(full_preset["w1efp_per_efp"]["mean"], rel=1e-12)


def test_cov_mmd_equals_bin_evaluate_on_the_same_batch(samples, full_preset):
    first = identity(100)
    cov, mmd, _ = flowjet._core.cov_mmd_batches(samples["g"], samples["q"], first, first)
    assert cov[0] == pytest.approx(full_preset["cov"], rel=1e-12)
    assert mmd[0] == pytest.approx(full_preset["mmd"], rel=1e-12)


def test_fpnd_fpd_kpd_equal_bin_evaluate(samples, seeded_metrics):
    g, q = samples["g"], samples["q"]
    with pytest.warns(RuntimeWarning, match="Recommended number of jets for FPND"):
        assert fm.fpnd(q, "g") == pytest.approx(seeded_metrics["fpnd"], rel=1e-9)
    real, gen = fm.get_fpd_kpd_jet_features(g), fm.get_fpd_kpd_jet_features(q)
    assert real.shape == (SAMPLE_JETS, 36)
    with pytest.warns(RuntimeWarning, match="Recommended number of samples for FPD"):
        value, error = fm.fpd(real, gen)
    assert value == pytest.approx(seeded_metrics["fpd"], rel=1e-9)
    assert error == pytest.approx(seeded_metrics["fpd_std"], rel=1e-9)
    value, error = fm.kpd(real, gen)
    assert value == pytest.approx(seeded_metrics["kpd"], rel=1e-9)
    assert error == pytest.approx(seeded_metrics["kpd_std"], rel=1e-9)
