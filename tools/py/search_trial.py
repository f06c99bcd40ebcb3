"""One trial of tools/py/search.py: runs `bin/train BASE key=value... output.dir=RUN_DIR`,
follows RUN_DIR/train_log.csv as it grows, reports each validation NLL to Optuna, stops the run
with SIGINT when the pruner says so (bin/train then writes its checkpoint and exits 130), and
returns the objective (docs/search.md)."""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import optuna

from search_space import SearchSpace, format_value, suggest

# Objectives, all minimised: the final validation NLL from train_log.csv, or a value of the
# end-of-run evaluation.json (metrics/evaluation/evaluation_format.cpp's keys; lower is better for each).
METRIC_OBJECTIVES = ("w1m", "w1p", "w1efp", "fpnd", "mmd", "fpd", "kpd")
OBJECTIVES = ("nll",) + METRIC_OBJECTIVES

INTERRUPTED_EXIT = 130  # bin/train after SIGINT (tools/common/interrupt.h: 128 + the signal)
STOP_GRACE_SECONDS = 600  # a step of a talk-sized model on a CPU takes ~30 s; after this, kill


class TrialFailed(Exception):
    """bin/train failed or left no objective; the message is the reason, one line."""


class TrainLogFollower:
    """Reads the validation rows that bin/train appends to train_log.csv (complete lines only)."""

    def __init__(self, path: Path):
        self.path = path
        self._offset = 0
        self._partial = ""
        self._columns: list[str] | None = None

    def new_validations(self) -> list[tuple[int, float]]:
        """(step, val_nll) of the rows written since the last call that hold a validation."""
        try:
            with open(self.path) as f:
                f.seek(self._offset)
                chunk = f.read()
                self._offset = f.tell()
        except FileNotFoundError:
            return []
        lines = (self._partial + chunk).split("\n")
        self._partial = lines.pop()
        rows = []
        for line in lines:
            cells = line.strip().split(",")
            if self._columns is None:
                self._columns = cells
                if "step" not in cells or "val_nll" not in cells:
                    raise TrialFailed(f"{self.path}: header {line.strip()!r} has no step and val_nll columns")
                continue
            row = dict(zip(self._columns, cells))
            if row.get("val_nll"):
                rows.append((int(row["step"]), float(row["val_nll"])))
        return rows


def last_line(path: Path) -> str:
    """The last non-empty line of a text file, or "" when there is none."""
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except FileNotFoundError:
        return ""
    return lines[-1] if lines else ""


def stop_process(process: subprocess.Popen) -> int:
    """SIGINT once (bin/train finishes its step, checkpoints and exits 130); kill after the grace."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # or a second Ctrl-C: quit now
            process.kill()
            process.wait()
    return process.returncode


class TrialRunner:
    """Optuna objective: one bin/train run per trial, in RUNS_DIR/trial_<number>."""

    def __init__(self, space: SearchSpace, trainer: Path, runs_dir: Path, objective: str,
                 settings: dict[str, str], poll_seconds: float = 0.5):
        self.space = space
        self.trainer = trainer
        self.runs_dir = runs_dir
        self.objective = objective
        self.settings = settings  # trial-only overrides (objective's eval settings, space, --set)
        self.poll_seconds = poll_seconds

    def command(self, params: dict[str, object], run_dir: Path) -> list[str]:
        overrides = {**self.settings, **{k: format_value(v) for k, v in params.items()}, "output.dir": str(run_dir)}
        return [str(self.trainer), str(self.space.base), *(f"{k}={v}" for k, v in overrides.items())]

    def __call__(self, trial: optuna.Trial) -> float:
        params = suggest(trial, self.space)
        run_dir = self.runs_dir / f"trial_{trial.number}"
        trial.set_user_attr("run_dir", str(run_dir))
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        print(f"search: trial {trial.number} starts in {run_dir}: "
              + " ".join(f"{k}={format_value(v)}" for k, v in params.items()), flush=True)
        try:
            return self._run(trial, params, run_dir)
        except TrialFailed as e:
            trial.set_user_attr("error", str(e))
            raise

    def _run(self, trial: optuna.Trial, params: dict[str, object], run_dir: Path) -> float:
        if run_dir.exists() and any(run_dir.iterdir()):
            raise TrialFailed(f"{run_dir} exists already (left by an earlier study of this name? "
                              "choose another --runs or --study)")
        run_dir.mkdir(parents=True, exist_ok=True)
        follower = TrainLogFollower(run_dir / "train_log.csv")
        last_nll = None
        with open(run_dir / "train.out", "w") as out, open(run_dir / "train.err", "w") as err:
            # A session of its own: a Ctrl-C at the terminal reaches only search.py, which passes
            # on one SIGINT (a second one would make bin/train quit without its checkpoint).
            process = subprocess.Popen(self.command(params, run_dir), stdout=out, stderr=err,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                while True:
                    finished = process.poll() is not None
                    for step, nll in follower.new_validations():
                        last_nll = nll
                        trial.report(nll, step)
                        if not finished and trial.should_prune():
                            status = stop_process(process)
                            trial.set_user_attr("exit_status", status)
                            trial.set_user_attr("pruned_at_step", step)
                            raise optuna.TrialPruned(f"validation NLL {nll:.5g} at step {step}")
                    if finished:
                        break
                    time.sleep(self.poll_seconds)
            finally:
                stop_process(process)
        status = process.returncode
        trial.set_user_attr("exit_status", status)
        if status != 0:
            reason = last_line(run_dir / "train.err") or "no message on stderr"
            raise TrialFailed(f"{self.trainer.name} exited with status {status}: {reason}")
        if last_nll is not None:
            trial.set_user_attr("val_nll", last_nll)
        value = last_nll if self.objective == "nll" else self._metric(trial, run_dir)
        if value is None:
            raise TrialFailed(f"{run_dir / 'train_log.csv'}: no validation NLL was logged")
        if not math.isfinite(value):
            raise TrialFailed(f"the objective {self.objective} is {value}")
        return value

    def _metric(self, trial: optuna.Trial, run_dir: Path) -> float:
        path = run_dir / "evaluation.json"
        try:
            values = json.loads(path.read_text())
        except FileNotFoundError:
            raise TrialFailed(f"{path}: missing (the run needs eval.generate = true and eval.metrics "
                              "other than none)") from None
        except json.JSONDecodeError as e:
            raise TrialFailed(f"{path}: not valid JSON ({e.msg})") from None
        scalars = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        trial.set_user_attr("evaluation", scalars)
        if values.get(self.objective) is None:
            raise TrialFailed(f"{path}: no value for {self.objective}")
        return float(values[self.objective])


def objective_settings(objective: str, base_values: dict[str, str]) -> dict[str, str]:
    """Eval settings a trial needs for its objective: the NLL needs no end-of-run generation or
    metrics (they take longer than a short trial's training); a metric needs both."""
    if objective == "nll":
        return {"eval.generate": "false", "eval.metrics": "none"}
    settings = {"eval.generate": "true"}
    if base_values.get("eval.metrics", "talk") == "none":
        settings["eval.metrics"] = "talk"
    return settings


def check_objective_settings(objective: str, settings: dict[str, str]) -> str | None:
    """Why the trial settings cannot produce a metric objective, or None."""
    if objective == "nll":
        return None
    if settings.get("eval.generate", "true").lower() in ("false", "no", "off", "0"):
        return f"objective {objective} needs eval.generate = true, the trial settings set it to {settings['eval.generate']}"
    if settings.get("eval.metrics") == "none":
        return f"objective {objective} needs end-of-run metrics, the trial settings set eval.metrics = none"
    return None
