"""flowjet from Python: jetnet-compatible metrics (flowjet.metrics), trained jet models
(flowjet.JetModel) and training (flowjet.train). docs/python.md."""
from __future__ import annotations

import json
import os

from . import metrics  # noqa: F401
from ._core import (  # noqa: F401
    AutogradError,
    CheckpointError,
    ConfigError,
    CudaError,
    DataError,
    Error,
    InternalError,
    JetModel,
    NumericError,
    ShapeError,
    TypeError,
    num_threads,
    set_num_threads,
)
from ._core import train as _train

__version__ = "0.1.0"
# TypeError stays out of `from flowjet import *`, which would hide Python's own.
__all__ = ["metrics", "JetModel", "train", "set_num_threads", "num_threads", "Error", "ShapeError", "ConfigError",
           "DataError", "CheckpointError", "CudaError", "NumericError", "AutogradError", "InternalError"]


def _override_text(key: str, value) -> str:
    """One "section.key=value" override as bin/train reads it (booleans as true/false)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"{key}={value}"


def train(config_path: str | os.PathLike | None = None, overrides: dict | None = None,
          resume: str | os.PathLike | None = None) -> dict:
    """Runs bin/train's pipeline on an INI configuration (docs/train.md): training, then the
    end-of-run generation and evaluation that the configuration's ``[eval]`` keys ask for.

    overrides: {"section.key": value}, applied in order after the file (bin/train's
    ``section.key=value`` words). resume: a run directory to continue (its config.ini is read when
    config_path is None). The plan and the metrics table go to stdout, progress to stderr, as in
    bin/train. Ctrl-C finishes the current step, writes checkpoints/last.h5 and raises
    KeyboardInterrupt; ``train(resume=run_dir)`` continues.
    Returns the run's summary: steps, final/best validation NLL, best_step, bad_steps, timings, the
    paths of run_dir, final_model, best_model, last_checkpoint and of the end-of-run files
    (generated, evaluation, truth_floor, report: None when not written), and ``metrics``, the
    contents of evaluation.json (None without an evaluation).
    """
    words = [_override_text(k, v) for k, v in (overrides or {}).items()]
    summary = _train(os.fspath(config_path) if config_path is not None else "", words,
                     os.fspath(resume) if resume is not None else "")
    summary["metrics"] = None
    if summary["evaluation"] is not None:
        with open(summary["evaluation"], encoding="utf-8") as f:
            summary["metrics"] = json.load(f)
    return summary
