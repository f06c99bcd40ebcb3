"""flowjet.JetModel against bin/sample and bin/logprob on the same checkpoint and seed."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest

import flowjet
from conftest import ROOT, assert_releases_gil, program, read_jetnet


@pytest.fixture(scope="module")
def model(trained_model):
    return flowjet.JetModel(trained_model["final_model"])


def test_properties(model):
    assert (model.kind, model.jet_type, model.particles, model.device) == ("cnf_mn", "q", 30, "cpu")
    assert model.context_features == 2 and model.num_parameters > 0


def test_sample_equals_bin_sample(model, trained_model, tmp_path):
    out = tmp_path / "jets.h5"
    subprocess.run([program("sample"), trained_model["final_model"], "-n", "300", "--seed", "7", "--batch", "128",
                    "-o", str(out)], check=True, capture_output=True)
    expected_particles, expected_jets = read_jetnet(out, 300)
    particles, jets = model.sample(300, seed=7)
    assert particles.shape == (300, 30, 4) and jets.shape == (300, 4) and particles.dtype == np.float32
    np.testing.assert_array_equal(particles, expected_particles)
    np.testing.assert_array_equal(jets, expected_jets)
    again, _ = model.sample(300, seed=7, batch_size=50)  # the batching does not change the jets
    np.testing.assert_array_equal(again, particles)
    assert not np.array_equal(model.sample(300, seed=8)[0], particles)


def test_sample_with_conditions_equals_bin_sample(model, trained_model, tmp_path):
    conditions = np.array([[0.05, 12], [0.1, 25], [0.02, 5]])
    text = tmp_path / "conditions.txt"
    text.write_text("".join(f"{m!r} {int(n)}\n" for m, n in conditions))
    out = tmp_path / "jets.h5"
    subprocess.run([program("sample"), trained_model["final_model"], "-n", "6", "--seed", "3", "--conditions",
                    str(text), "-o", str(out)], check=True, capture_output=True)
    particles, jets = model.sample(6, seed=3, conditions=conditions)
    np.testing.assert_array_equal(particles, read_jetnet(out, 6)[0])
    assert list(jets[:, 3]) == [12, 25, 5, 12, 25, 5]  # n real particles, the conditions cycled


def test_log_prob_equals_bin_logprob(model, trained_model):
    data = ROOT / "data" / "samples" / "q.h5"
    result = subprocess.run([program("logprob"), trained_model["final_model"], str(data), "--max-jets", "50"],
                            check=True, capture_output=True, text=True)
    expected = np.loadtxt(result.stdout.splitlines()[1:], delimiter=",")[:, 1]
    particles, _ = read_jetnet(data, 50)
    np.testing.assert_allclose(model.log_prob(particles), expected, rtol=1e-12)
    # without the mask column, a particle is real when one of its features is non-zero
    np.testing.assert_allclose(model.log_prob(particles[:, :, :3]), expected, rtol=1e-12)


def test_errors_carry_the_cpp_message(model, tmp_path):
    with pytest.raises(flowjet.CheckpointError, match="no such checkpoint file"):
        flowjet.JetModel(str(tmp_path / "missing.h5"))
    with pytest.raises(flowjet.ConfigError, match="cuda"):
        flowjet.JetModel(str(tmp_path / "missing.h5"), device="cuda")
    with pytest.raises(flowjet.DataError, match=r"row 1: n = 31 must be an integer in 1..30"):
        model.sample(2, conditions=np.array([[0.1, 3], [0.1, 31]]))
    with pytest.raises(flowjet.ConfigError, match="multiple of 2"):
        model.sample(3, conditions=np.array([[0.1, 3], [0.1, 4]]))
    with pytest.raises(flowjet.ShapeError, match="model expects 30"):
        model.log_prob(np.zeros((2, 20, 4)))


def test_sampling_releases_the_gil(model):
    assert_releases_gil(lambda: model.sample(20000, seed=1))
