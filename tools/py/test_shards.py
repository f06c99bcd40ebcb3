# Tests of the resumable shard plan and the shard files (no Pythia needed).
# Run: build/pyenv/bin/python -m pytest tools/py   (or `make data-test`)
import os
import sys

import pytest

np = pytest.importorskip("numpy")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jetgen.shards import load_shard, remove_parts, save_shard, shard_path, shard_plan  # noqa: E402


def test_one_shard_is_the_unsharded_run():
    assert shard_plan(500, 2, 0, 11) == [(0, 500, 11)]
    assert shard_plan(500, 2, 1000, 11) == [(0, 500, 11)]


def test_shards_cover_the_jets_with_distinct_seeds():
    plan = shard_plan(25, 2, 10, 100)
    assert plan == [(0, 10, 100), (1, 10, 102), (2, 5, 104)]
    job_seeds = [base + j for _, _, base in plan for j in range(2)]
    assert len(set(job_seeds)) == len(job_seeds)


def fake_results(seed, jets):
    rng = np.random.default_rng(seed)
    return [{"particle_features": rng.random((n, 30, 4), dtype=np.float32),
             "jet_features": rng.random((n, 4), dtype=np.float32),
             "seed": seed + j, "events": 3 * n, "sigma_mb": 1e-10, "pythia_settings": ["a", "b"]}
            for j, n in enumerate(jets)]


def test_shard_round_trip_and_cleanup(tmp_path):
    output = str(tmp_path / "q.h5")
    path = shard_path(output, 0)
    results = fake_results(40, [3, 2])
    save_shard(path, results)
    back = load_shard(path, 5, 40)
    for r, b in zip(results, back):
        assert np.array_equal(r["particle_features"], b["particle_features"])
        assert np.array_equal(r["jet_features"], b["jet_features"])
        assert b["seed"] == r["seed"] and b["pythia_settings"] == ["a", "b"]
    remove_parts(output, [(0, 5, 40)])
    assert not os.path.exists(os.path.dirname(path))


def test_a_shard_from_other_settings_is_refused(tmp_path):
    path = shard_path(str(tmp_path / "g.h5"), 1)
    save_shard(path, fake_results(7, [4]))
    with pytest.raises(ValueError, match="expected 4 from seed 9"):
        load_shard(path, 4, 9)
