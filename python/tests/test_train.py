"""flowjet.train: bin/train's pipeline from Python (training, generated jets, metrics, truth floor),
its errors, and Ctrl-C leaving a run that resumes."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import flowjet
from conftest import ROOT, quick_overrides


def test_summary_and_run_directory(trained_model):
    assert trained_model["steps"] == 20 and trained_model["bad_steps"] == 0
    assert trained_model["best_validation"] <= trained_model["final_validation"]
    run_dir = trained_model["run_dir"]
    for name in ("config.ini", "train_log.csv", "final.h5", "checkpoints/last.h5", "checkpoints/best.h5"):
        assert os.path.exists(os.path.join(run_dir, name)), name
    assert "max_steps = 20" in open(os.path.join(run_dir, "config.ini")).read()


def test_end_of_run_generation_and_evaluation(trained_model):
    run_dir = trained_model["run_dir"]
    assert trained_model["generated"] == os.path.join(run_dir, "generated.h5")
    assert trained_model["evaluation"] == os.path.join(run_dir, "evaluation.json")
    assert trained_model["truth_floor"] == os.path.join(run_dir, "truth_floor.json")
    assert trained_model["report"] is None
    import h5py

    with h5py.File(trained_model["generated"], "r") as f:  # as many jets as the test split (30% of 3,000)
        assert f["particle_features"].shape == (900, 30, 4)
    assert trained_model["metrics"] == json.loads(open(trained_model["evaluation"]).read())
    assert trained_model["metrics"]["fpnd"] > 0 and 0 <= trained_model["metrics"]["cov"] <= 1
    assert os.path.getsize(trained_model["truth_floor"]) > 0


def test_metrics_none_generates_without_scoring(tmp_path):
    summary = flowjet.train(ROOT / "configs" / "quick.ini", quick_overrides(tmp_path / "run", steps=2))
    assert os.path.exists(summary["generated"])
    assert summary["evaluation"] is None and summary["metrics"] is None
    assert not (tmp_path / "run" / "evaluation.json").exists()


def test_configuration_errors_name_the_key(tmp_path):
    with pytest.raises(flowjet.ConfigError, match='unknown key "no_such_key"'):
        flowjet.train(ROOT / "configs" / "quick.ini", {"train.no_such_key": 1, "output.dir": str(tmp_path)})
    with pytest.raises(flowjet.ConfigError, match="--resume|resume"):
        flowjet.train(ROOT / "configs" / "quick.ini", quick_overrides(tmp_path / "run", steps=2))
        flowjet.train(ROOT / "configs" / "quick.ini", quick_overrides(tmp_path / "run", steps=2))


def test_interrupt_leaves_a_run_that_resumes(tmp_path):
    run_dir = tmp_path / "run"
    script = textwrap.dedent(f"""
        import flowjet
        try:
            flowjet.train({str(ROOT / "configs" / "quick.ini")!r}, {quick_overrides(run_dir, steps=100000)!r})
        except KeyboardInterrupt as stop:
            print("KeyboardInterrupt:", stop)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ, FLOWJET_THREADS="1"))
    log = run_dir / "train_log.csv"
    deadline = time.monotonic() + 120
    while not (log.exists() and len(log.read_text().splitlines()) > 2) and time.monotonic() < deadline:
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "KeyboardInterrupt:" in out and f'flowjet.train(resume="{run_dir}")' in out
    assert "interrupted; finishing the current step" in err
    assert (run_dir / "checkpoints" / "last.h5").exists()
    stopped_at = int(re.search(r"interrupted at step (\d+)", out).group(1))
    summary = flowjet.train(resume=run_dir, overrides={"train.max_steps": stopped_at + 10})
    assert summary["steps"] == stopped_at + 10
    assert int(log.read_text().splitlines()[-1].split(",")[0]) == stopped_at + 10
