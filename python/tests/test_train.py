"""flowjet.train: bin/train's training stage from Python, its errors, and Ctrl-C leaving a run that
resumes."""
from __future__ import annotations

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
