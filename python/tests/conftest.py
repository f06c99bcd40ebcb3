"""Shared fixtures: the repository's committed samples, the C++ programs' answers on them, and a
tiny model trained once per session with flowjet.train."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import threading

import numpy as np
import pytest

import flowjet

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("FLOWJET_BIN", ROOT / "bin"))
SAMPLE_JETS = 2000


def program(name: str) -> str:
    """Path of a C++ program of bin/ (built by `make all`); the test is skipped, saying so, without it."""
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{path} is not built (make -j2 all)")
    return str(path)


def read_jetnet(path, jets: int):
    import h5py

    with h5py.File(path, "r") as f:
        return f["particle_features"][:jets], f["jet_features"][:jets]


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """The first SAMPLE_JETS gluon and light-quark jets: eta_rel, phi_rel, pt_rel arrays [N, 30, 3],
    and the same jets as JetNet files for the C++ programs."""
    folder = tmp_path_factory.mktemp("samples")
    out = {}
    for jet_type in "gq":
        import h5py

        particles, jet_features = read_jetnet(ROOT / "data" / "samples" / f"{jet_type}.h5", SAMPLE_JETS)
        path = folder / f"{jet_type}.h5"
        with h5py.File(path, "w") as f:
            f["particle_features"] = particles
            f["jet_features"] = jet_features
        out[jet_type] = particles[:, :, :3]
        out[f"{jet_type}_file"] = str(path)
    return out


def evaluate_json(samples, tmp_path_factory, *flags) -> dict:
    """bin/evaluate --real g --gen q with `flags`, its JSON output."""
    out = tmp_path_factory.mktemp("evaluate") / "evaluation.json"
    subprocess.run([program("evaluate"), "--real", samples["g_file"], "--gen", samples["q_file"], "--jet-type", "g",
                    "--json", str(out), *flags], check=True, capture_output=True, text=True)
    return json.loads(out.read_text())


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory):
    """A small CNF(m, n) on 3,000 light-quark jets, 20 steps, then bin/train's end of run: 900
    generated jets scored with the talk preset, and the truth floor (the training tests check it)."""
    run_dir = tmp_path_factory.mktemp("train") / "run"
    overrides = dict(quick_overrides(run_dir), **{"eval.metrics": "talk", "eval.truth_floor": True})
    return flowjet.train(ROOT / "configs" / "quick.ini", overrides)


def quick_overrides(run_dir, steps: int = 20) -> dict:
    """Training on 3,000 jets, then generated jets but no metrics (eval.metrics = none)."""
    return {"data.path": str(ROOT / "data" / "samples" / "q.h5"), "data.max_jets": 3000, "train.max_steps": steps,
            "train.batch_size": 200, "eval.validate_every": 10, "output.checkpoint_every": 10,
            "output.log_every": 5, "eval.metrics": "none", "output.dir": str(run_dir)}


def assert_releases_gil(work) -> None:
    """Runs work() in a thread and counts loop turns of this one meanwhile: with the GIL held
    through the C++ call the loop could not run until it returned."""
    done = threading.Event()
    thread = threading.Thread(target=lambda: (work(), done.set()))
    ticks = 0
    thread.start()
    while not done.is_set():
        ticks += 1
    thread.join()
    assert ticks > 10_000
