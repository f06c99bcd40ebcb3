# Tests of the Optuna search (tools/py/search.py and its search_*.py modules). Most cases drive a
# fake trainer (a Python script speaking bin/train's interface: --keys, overrides, train_log.csv,
# evaluation.json, exit 130 on SIGINT); test_quick_space_search runs a real 3-trial search with
# bin/train on configs/search/quick.yaml. Run: make search-test (docs/search.md).
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")  # build/search-env (make search-deps); skipped elsewhere
pytest.importorskip("yaml")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import search  # noqa: E402
from search_ini import apply_overrides, read_ini_values, write_text_atomically  # noqa: E402
from search_space import SpaceError, format_value, load_space  # noqa: E402
from search_trial import TrainLogFollower, TrialFailed, TrialRunner, check_objective_settings  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
KEYS = {"model.bins", "model.dropout", "model.batchnorm", "train.lr", "train.max_steps", "train.batch_size",
        "eval.validate_every", "eval.generate", "eval.metrics", "output.dir"}

# Validation NLL = bins + 1/step; model.bins = 0 fails as bin/train does on a bad value.
FAKE_TRAINER = textwrap.dedent("""\
    import json, os, signal, sys, time
    KEYS = {keys!r}
    if sys.argv[1:] == ["--keys"]:
        print("| section | key | type | default | meaning |")
        print("|---|---|---|---|---|")
        for k in sorted(KEYS):
            s, n = k.split(".")
            print(f"| [{{s}}] | `{{n}}` | integer | `1` | fake |")
        sys.exit(0)
    o = dict(a.split("=", 1) for a in sys.argv[2:])
    out = o["output.dir"]
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    bins = int(o.get("model.bins", "1"))
    if bins == 0:
        print("fake: step 0 of nothing", file=sys.stderr)
        print("command line: [model] bins = 0 is below the minimum 1", file=sys.stderr)
        sys.exit(1)
    os.makedirs(out, exist_ok=True)
    steps, every = int(o.get("train.max_steps", "100")), int(o.get("eval.validate_every", "10"))
    with open(os.path.join(out, "train_log.csv"), "w") as log:
        log.write("step,epoch,nll,mass_loss,lr,jets_per_s,elapsed,bad_steps,val_nll\\n")
        log.flush()
        for step in range(every, steps + 1, every):
            time.sleep(0.05)
            log.write(f"{{step}},0,1.0,,0.001,100,1.0,0,{{bins + 1 / step}}\\n")
            log.flush()
            if stop:
                open(os.path.join(out, "interrupted"), "w").close()
                sys.exit(130)
    if o.get("eval.generate") == "true":
        with open(os.path.join(out, "evaluation.json"), "w") as f:
            json.dump({{"w1m": bins * 1e-3, "w1m_std": 1e-5, "fpnd": None, "w1p_batches": [[1.0]]}}, f)
    """)

FAKE_SPACE = """\
base: base.ini
trial_settings:
  train.max_steps: 100
params:
  model.bins: {type: int, low: 0, high: 9}
  train.lr: {type: float, low: 1.0e-4, high: 1.0e-2, log: true}
"""

BASE_INI = """\
# a base configuration
[model]
kind = cnf_mn
bins = 8  # spline bins

[train]
lr = 1e-3
"""


@pytest.fixture
def fake(tmp_path):
    """(trainer, space path) of the fake trainer and a space over it."""
    trainer = tmp_path / "fake_train"
    trainer.write_text(f"#!{sys.executable}\n" + FAKE_TRAINER.format(keys=KEYS))
    trainer.chmod(0o755)
    (tmp_path / "base.ini").write_text(BASE_INI)
    space = tmp_path / "space.yaml"
    space.write_text(FAKE_SPACE)
    return trainer, space


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, str(REPO / "tools/py/search.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def search_with_fake(fake, tmp_path, *args, space_text=FAKE_SPACE):
    """search.py with the fake trainer, a study in tmp_path/study.db and runs in tmp_path/runs."""
    trainer, space_path = fake
    space_path.write_text(space_text)
    return run_cli(space_path, *args, "--storage", tmp_path / "study.db", "--runs", tmp_path / "runs", "--train", trainer)


def load_fake_study(tmp_path, name="space"):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{tmp_path / 'study.db'}")


def enqueued_study(pruner, *bins):
    study = optuna.create_study(direction="minimize", pruner=pruner)
    for b in bins:
        study.enqueue_trial({"model.bins": b, "train.lr": 1e-3})
    return study


def test_space_is_checked_against_the_trainer_keys(tmp_path):
    cases = {
        "params:\n  model.binz: {type: int, low: 1, high: 2}\nbase: b.ini\n": "params.model.binz: 'model.binz' is not a bin/train key",
        "base: b.ini\nparams:\n  model.bins: {type: int, low: 5, high: 2}\n": "low 5 is above high 2",
        "base: b.ini\nparams:\n  model.bins: {type: int, lo: 1, high: 2}\n": "unknown field 'lo' for type int",
        "base: b.ini\nparams:\n  train.lr: {type: float, low: 0, high: 1, log: true}\n": "a log range needs low > 0",
        "base: b.ini\nparams:\n  model.bins: {type: choice, choices: [1]}\n": "type 'choice' is not one of",
        "base: b.ini\nparams:\n  model.bins: {type: int, low: 1.5, high: 2}\n": "low = 1.5 is not an integer",
        "base: b.ini\nspace: {}\nparams:\n  model.bins: {type: int, low: 1, high: 2}\n": "unknown entry 'space'",
        "params:\n  model.bins: {type: int, low: 1, high: 2}\n": "base must name the configuration file",
        "base: b.ini\ntrial_settings:\n  model.bins: 3\nparams:\n  model.bins: {type: int, low: 1, high: 2}\n":
            "also fixed in trial_settings",
    }
    for text, message in cases.items():
        path = tmp_path / "space.yaml"
        path.write_text(text)
        with pytest.raises(SpaceError, match=message.replace("(", r"\(")) as error:
            load_space(path, KEYS)
        assert str(path) in str(error.value)
    path.write_text("base: b.ini\nparams:\n  train.lr: {type: float, low: 1e-4, high: 1.0e-2, log: true}\n")
    space = load_space(path, KEYS)  # PyYAML reads 1e-4 (no dot) as a string: accepted as a number
    assert space.params["train.lr"]["low"] == 1e-4 and space.base == tmp_path / "b.ini"


def test_both_shipped_spaces_load_with_bin_train_keys(tmp_path):
    train = REPO / "bin" / "train"
    if not train.exists():
        pytest.skip("bin/train is not built (make bin/train)")
    keys = search.trainer_keys(train)
    for name in ("quick", "talk"):
        space = load_space(REPO / "configs/search" / f"{name}.yaml", keys)
        # bin/train accepts a trial at each end of every range (--dry-run: it checks and trains
        # nothing; the largest talk model's dry run measures its memory for ~15 s, so not that one)
        for end in ("low", "high") if name == "quick" else ("low",):
            params = {k: p[end] if end in p else p["choices"][0 if end == "low" else -1]
                      for k, p in space.params.items()}
            settings = {k: format_value(v) for k, v in space.trial_settings.items()}
            command = TrialRunner(space, train, tmp_path, "nll", settings).command(params, tmp_path / name)
            dry = subprocess.run(command + ["--dry-run", "train.threads=1"], capture_output=True, text=True, cwd=REPO)
            assert dry.returncode == 0, dry.stderr
    talk = load_space(REPO / "configs/search/talk.yaml", keys).params
    assert talk["model.network_nodes"] == {"type": "int", "low": 64, "high": 299, "log": False}
    assert talk["train.lambda"]["log"] and talk["train.lambda"]["high"] == 200.0


def test_overrides_replace_insert_and_append_keeping_comments(tmp_path):
    text = apply_overrides(BASE_INI, {"model.bins": "5", "model.dropout": "0.25", "train.lr": "0.002",
                                      "eval.generate": "false"})
    assert text == ("# a base configuration\n[model]\nkind = cnf_mn\nbins = 5\ndropout = 0.25\n\n[train]\n"
                    "lr = 0.002\n\n[eval]\ngenerate = false\n")
    path = tmp_path / "out" / "best.ini"
    write_text_atomically(path, text)
    assert read_ini_values(path) == {"model.kind": "cnf_mn", "model.bins": "5", "model.dropout": "0.25",
                                     "train.lr": "0.002", "eval.generate": "false"}
    assert os.listdir(path.parent) == ["best.ini"]
    assert format_value(True) == "true" and format_value(1e-05) == "1e-05" and format_value(7) == "7"


def test_log_follower_reads_only_complete_validation_rows(tmp_path):
    log = tmp_path / "train_log.csv"
    follower = TrainLogFollower(log)
    assert follower.new_validations() == []
    log.write_text("step,epoch,nll,mass_loss,lr,jets_per_s,elapsed,bad_steps,val_nll\n10,0,1,,1,1,1,0,\n20,0,1,,1,1,1,0,0.5")
    assert follower.new_validations() == []  # the row of step 20 is still being written
    with open(log, "a") as f:
        f.write("\n30,0,1,,1,1,1,0,0.25\n")
    assert follower.new_validations() == [(20, 0.5), (30, 0.25)]


def test_per_trial_seeds_make_draws_independent_of_the_worker():
    def draws(seed, trials):
        study = optuna.create_study(sampler=search.PerTrialSeededSampler(
            lambda s: optuna.samplers.RandomSampler(seed=s), seed))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=trials)
        return [t.params["x"] for t in study.trials]

    first = draws(7, 3)
    assert draws(7, 3) == first  # the same seed: the same draws
    assert len(set(first)) == 3  # trials differ from each other (not one seed per worker)
    assert draws(8, 3) != first


def test_pruned_trial_is_stopped_with_sigint(fake, tmp_path):
    trainer, space_path = fake
    space = load_space(space_path, KEYS)
    runner = TrialRunner(space, trainer, tmp_path / "runs", "nll", {"train.max_steps": "100"}, poll_seconds=0.02)
    study = enqueued_study(optuna.pruners.MedianPruner(n_startup_trials=1), 1, 9)
    study.optimize(runner, n_trials=2)
    done, pruned = study.trials
    assert done.state == optuna.trial.TrialState.COMPLETE and done.value == pytest.approx(1.01)
    assert len(done.intermediate_values) == 10
    assert pruned.state == optuna.trial.TrialState.PRUNED
    assert pruned.user_attrs["exit_status"] == 130  # bin/train's status after a clean SIGINT stop
    assert (tmp_path / "runs/trial_1/interrupted").exists()
    assert pruned.user_attrs["pruned_at_step"] < 100
    assert len(pruned.intermediate_values) < 10


def test_failed_trial_is_recorded_and_the_study_goes_on(fake, tmp_path):
    trainer, space_path = fake
    runner = TrialRunner(load_space(space_path, KEYS), trainer, tmp_path / "runs", "nll", {}, poll_seconds=0.02)
    study = enqueued_study(optuna.pruners.NopPruner(), 0, 3)
    study.optimize(runner, n_trials=2, catch=(TrialFailed,))
    failed, done = study.trials
    assert failed.state == optuna.trial.TrialState.FAIL
    assert failed.user_attrs["error"] == ("fake_train exited with status 1: command line: [model] bins = 0 is "
                                          "below the minimum 1")
    assert done.state == optuna.trial.TrialState.COMPLETE and done.value == pytest.approx(3.01)


def test_cli_refuses_mixed_objectives_and_bad_overrides(fake, tmp_path):
    positive_bins = FAKE_SPACE.replace("low: 0", "low: 1")
    r = search_with_fake(fake, tmp_path, "--trials", 1, space_text=positive_bins)
    assert r.returncode == 0, r.stdout + r.stderr
    r = search_with_fake(fake, tmp_path, "--trials", 1, "--objective", "w1m", space_text=positive_bins)
    assert r.returncode == 1 and r.stderr.strip() == ("search.py: study space minimises nll; --objective w1m would "
                                                      "mix values (choose another --study)")
    with pytest.raises(search.SearchError, match="--set model.binz=3: expected section.key=value"):
        search.parse_set(["model.binz=3"], KEYS, {})
    with pytest.raises(search.SearchError, match="--set model.bins=3: the space searches this key"):
        search.parse_set(["model.bins=3"], KEYS, {"model.bins": {}})
    r = run_cli(tmp_path / "missing.yaml", "--train", fake[0])
    assert r.returncode == 1 and r.stderr.startswith(f"search.py: {tmp_path / 'missing.yaml'}: cannot read")
    assert [t.number for t in load_fake_study(tmp_path).trials] == [0]


def test_cli_every_trial_failing_exits_1(fake, tmp_path):
    always_failing = FAKE_SPACE.replace("low: 0, high: 9", "low: 0, high: 0")
    r = search_with_fake(fake, tmp_path, "--trials", 2, space_text=always_failing)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "search: trial 1 failed: fake_train exited with status 1: command line: [model] bins = 0" in r.stdout
    assert r.stderr.strip().endswith("every trial of this worker failed")
    assert [t.state for t in load_fake_study(tmp_path).trials] == [optuna.trial.TrialState.FAIL] * 2
    r = search_with_fake(fake, tmp_path, "--trials", 0, "--best", tmp_path / "best.ini", space_text=always_failing)
    assert r.returncode == 1 and "has no completed trial yet" in r.stderr
    assert not (tmp_path / "best.ini").exists()


def test_metric_objective_reads_evaluation_json(fake, tmp_path):
    r = search_with_fake(fake, tmp_path, "--trials", 2, "--objective", "w1m", "--pruner", "none",
                         "--best", tmp_path / "best.ini")
    assert r.returncode == 0, r.stdout + r.stderr
    for t in load_fake_study(tmp_path).trials:
        if t.params["model.bins"] == 0:
            assert t.state == optuna.trial.TrialState.FAIL
            continue
        assert t.value == pytest.approx(t.params["model.bins"] * 1e-3)
        assert t.user_attrs["evaluation"] == {"w1m": t.value, "w1m_std": 1e-5}
    trainer, space_path = fake
    space_path.write_text(FAKE_SPACE.replace("low: 0", "low: 1"))
    runner = TrialRunner(load_space(space_path, KEYS), trainer, tmp_path / "runs_fpnd", "fpnd",
                         {"eval.generate": "true"}, poll_seconds=0.02)
    study = optuna.create_study()
    study.optimize(runner, n_trials=1, catch=(TrialFailed,))
    assert study.trials[0].user_attrs["error"].endswith("evaluation.json: no value for fpnd")
    assert check_objective_settings("w1m", {"eval.generate": "false"}) == (
        "objective w1m needs eval.generate = true, the trial settings set it to false")
    assert "eval.metrics = none" in check_objective_settings("fpnd", {"eval.generate": "true", "eval.metrics": "none"})
    assert check_objective_settings("nll", {"eval.generate": "false"}) is None


def test_quick_space_search(tmp_path):
    """Three real bin/train trials on configs/search/quick.yaml in SQLite, then --best."""
    train = REPO / "bin" / "train"
    if not train.exists():
        pytest.skip("bin/train is not built (make bin/train)")
    db, runs, best = tmp_path / "study.db", tmp_path / "runs", tmp_path / "best.ini"
    start = time.monotonic()
    r = run_cli(REPO / "configs/search/quick.yaml", "--trials", 3, "--storage", db, "--runs", runs,
                "--best", best, "--seed", 3, cwd=REPO)
    print(f"3 quick trials and --best in {time.monotonic() - start:.1f} s")
    assert r.returncode == 0, r.stdout + r.stderr
    study = optuna.load_study(study_name="quick", storage=f"sqlite:///{db}")
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert study.user_attrs == {"objective": "nll", "space": "quick.yaml"}
    for t in study.trials:
        assert t.state == optuna.trial.TrialState.COMPLETE
        run = runs / f"trial_{t.number}"
        assert {"config.ini", "train_log.csv", "final.h5", "train.out", "train.err"} <= set(os.listdir(run))
        assert not (run / "evaluation.json").exists()  # the NLL objective skips the end-of-run metrics
        config = read_ini_values(run / "config.ini")  # the effective configuration bin/train wrote
        for key, value in t.params.items():
            written = config[key]
            assert (float(written) == pytest.approx(value) if isinstance(value, float)
                    else written == format_value(value)), key
        assert config["train.max_steps"] == "40" and config["data.max_jets"] == "2000"
        rows = TrainLogFollower(run / "train_log.csv").new_validations()
        assert [s for s, _ in rows] == [10, 20, 30, 40]
        assert t.intermediate_values == dict(rows) and t.value == rows[-1][1]
    winner = min(study.trials, key=lambda t: t.value)
    assert f"trial {winner.number}, nll = " in best.read_text().splitlines()[0]
    values = read_ini_values(best)
    for key, value in winner.params.items():
        assert values[key] == format_value(value)
    assert values["train.max_steps"] == "2000" and "data.max_jets" not in values  # quick.ini's, not the trial's
    dry = subprocess.run([str(train), str(best), "--dry-run", "train.threads=1"], capture_output=True, text=True, cwd=REPO)
    assert dry.returncode == 0, dry.stderr


def test_bin_train_stops_cleanly_when_its_trial_is_pruned(tmp_path):
    """A pruner that stops every trial at its first report: bin/train gets SIGINT at step 10 of
    2,000, writes checkpoints/last.h5 and exits 130."""
    train = REPO / "bin" / "train"
    if not train.exists():
        pytest.skip("bin/train is not built (make bin/train)")
    space = load_space(REPO / "configs/search/quick.yaml", search.trainer_keys(train))
    settings = {**{k: format_value(v) for k, v in space.trial_settings.items()}, "train.max_steps": "2000",
                "eval.generate": "false", "eval.metrics": "none"}
    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=0.0))  # any NLL > 0 is pruned
    cwd = os.getcwd()
    os.chdir(REPO)  # bin/train finds data/samples/ from the working directory
    try:
        study.optimize(TrialRunner(space, train, tmp_path / "runs", "nll", settings, poll_seconds=0.1), n_trials=1)
    finally:
        os.chdir(cwd)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert trial.user_attrs["exit_status"] == 130 and trial.user_attrs["pruned_at_step"] == 10
    run = tmp_path / "runs/trial_0"
    assert (run / "checkpoints/last.h5").exists() and not (run / "final.h5").exists()
    assert "continue with: bin/train --resume" in (run / "train.err").read_text()


def test_interrupting_the_search_stops_the_running_trial(fake, tmp_path):
    trainer, space_path = fake
    space_path.write_text(FAKE_SPACE.replace("max_steps: 100", "max_steps: 100000").replace("low: 0", "low: 1"))
    db = tmp_path / "study.db"
    process = subprocess.Popen([sys.executable, str(REPO / "tools/py/search.py"), str(space_path), "--trials", "1",
                                "--storage", str(db), "--runs", str(tmp_path / "runs"), "--train", str(trainer)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "runs/trial_0/train_log.csv"
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text().count("\n") > 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, out + err
    assert (tmp_path / "runs/trial_0/interrupted").exists()  # bin/train got one SIGINT and stopped cleanly
    assert load_fake_study(tmp_path).trials[0].state == optuna.trial.TrialState.FAIL
