#!/usr/bin/env python3
"""Hyper-parameter search over bin/train runs with Optuna; many workers on many machines can share
one study through a database (docs/search.md).

    build/search-env/bin/python tools/py/search.py configs/search/quick.yaml --trials 3
    build/search-env/bin/python tools/py/search.py configs/search/talk.yaml --trials 50 \\
        --storage postgresql://user:pass@db-host/flowjet --study light_ccnf_mn --best runs/best.ini

Exit status: 0 done, 1 an error (one line) or every trial of this worker failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import optuna
import sqlalchemy

from search_ini import apply_overrides, read_ini_values, write_text_atomically
from search_space import SearchSpace, SpaceError, format_value, load_space
from search_trial import OBJECTIVES, TrialFailed, TrialRunner, check_objective_settings, objective_settings

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = Path("runs/search/optuna.db")
OPEN_ATTEMPTS = 5
States = optuna.trial.TrialState


class SearchError(Exception):
    """A usage or setup mistake; the message is the one line printed."""


class PerTrialSeededSampler(optuna.samplers.BaseSampler):
    """Gives each trial a fresh sampler seeded from (seed, trial number). Workers sharing a study
    then draw different values (one seed per worker would repeat the same random start-up draws
    on every worker), and a trial's draws depend only on the seed, its number and the study's
    history, not on which worker runs it."""

    def __init__(self, make_sampler, seed: int):
        self._make_sampler = make_sampler
        self._seed = seed
        self._current: tuple[int, optuna.samplers.BaseSampler] | None = None

    def _sampler(self, trial) -> optuna.samplers.BaseSampler:
        if self._current is None or self._current[0] != trial.number:
            seed = int(np.random.SeedSequence([self._seed, trial.number]).generate_state(1)[0])
            self._current = (trial.number, self._make_sampler(seed))
        return self._current[1]

    def infer_relative_search_space(self, study, trial):
        return self._sampler(trial).infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self._sampler(trial).sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._sampler(trial).sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study, trial):
        self._sampler(trial).before_trial(study, trial)

    def after_trial(self, study, trial, state, values):
        self._sampler(trial).after_trial(study, trial, state, values)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="search.py", description="Optuna search over bin/train runs (docs/search.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("space", type=Path, help="search space (YAML), e.g. configs/search/quick.yaml")
    p.add_argument("--trials", type=int, default=10, help="trials this worker runs (default 10; 0: none, e.g. only --best)")
    p.add_argument("--storage", default=None,
                   help=f"SQLAlchemy URL of the study database, or an SQLite file path (default sqlite:///{DEFAULT_DATABASE})")
    p.add_argument("--study", default=None, help="study name (default: the space file's name without .yaml)")
    p.add_argument("--objective", choices=OBJECTIVES, default="nll",
                   help="value to minimise: the final validation NLL, or a metric of evaluation.json (default nll)")
    p.add_argument("--best", type=Path, default=None, metavar="OUT.ini",
                   help="afterwards, write the base configuration with the best trial's values")
    p.add_argument("--base", type=Path, default=None, help="base configuration instead of the space's 'base'")
    p.add_argument("--runs", type=Path, default=None, help="directory of the trials' run directories (default runs/search/STUDY)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a bin/train override for this worker's trials only (e.g. train.device=cuda); repeatable")
    p.add_argument("--sampler", choices=("tpe", "random"), default="tpe", help="Optuna sampler (default tpe)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampler; trial N draws from (seed, N) (default 0)")
    p.add_argument("--pruner", choices=("median", "none"), default="median", help="stop trials early (default median)")
    p.add_argument("--prune-startup", type=int, default=5, metavar="N",
                   help="MedianPruner: trials that finish before any is pruned (default 5)")
    p.add_argument("--prune-warmup", type=int, default=0, metavar="STEPS",
                   help="MedianPruner: steps of a trial before it can be pruned (default 0)")
    p.add_argument("--train", type=Path, default=REPO / "bin" / "train", help="the trainer (default bin/train)")
    args = p.parse_args(argv)
    if args.trials < 0:
        p.error(f"--trials must be 0 or more, got {args.trials}")
    return args


def trainer_keys(trainer: Path) -> set[str]:
    """The "section.key" names of `bin/train --keys` (its Markdown table)."""
    try:
        table = subprocess.run([str(trainer), "--keys"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SearchError(f"{trainer} --keys failed ({e}); build it with make bin/train") from None
    keys = set()
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1].startswith("[") and cells[2].startswith("`"):
            keys.add(f"{cells[1].strip('[]')}.{cells[2].strip('`')}")
    if not keys:
        raise SearchError(f"{trainer} --keys printed no key table")
    return keys


def parse_set(items: list[str], known_keys: set[str], searched: dict) -> dict[str, str]:
    settings = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or key not in known_keys:
            raise SearchError(f"--set {item}: expected section.key=value with a bin/train key")
        if key in searched:
            raise SearchError(f"--set {item}: the space searches this key")
        settings[key] = value
    return settings


def storage_url(arg: str | None) -> str:
    if arg is None or "://" not in arg:
        path = Path(arg) if arg else DEFAULT_DATABASE
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path.resolve()}"
    return arg


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return url


# MySQL/MariaDB error codes of the table-creation race: a table another worker just created, a
# deadlock between two workers' CREATE TABLE statements.
MYSQL_SETUP_RACE_CODES = {1050, 1213}


def is_setup_race(error: sqlalchemy.exc.DBAPIError) -> bool:
    """True for the errors a worker gets when another creates Optuna's tables at the same time:
    an integrity error (PostgreSQL; MySQL 1062), a locked database (SQLite), an existing table or a deadlock
    (MySQL/MariaDB)."""
    if isinstance(error, sqlalchemy.exc.IntegrityError) or "locked" in str(error):
        return True
    code = getattr(error.orig, "args", (None,))
    return bool(code) and code[0] in MYSQL_SETUP_RACE_CODES


def open_study(args, url: str) -> optuna.Study:
    make = {"tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
            "random": lambda seed: optuna.samplers.RandomSampler(seed=seed)}[args.sampler]
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=args.prune_startup, n_warmup_steps=args.prune_warmup)
              if args.pruner == "median" else optuna.pruners.NopPruner())
    # Workers that start together on an empty database all create Optuna's tables; the losers of
    # that race (is_setup_race) try again, then find the tables made.
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        try:
            # Heartbeats let any worker mark the trials of a worker that died as failed.
            storage = optuna.storages.RDBStorage(url, heartbeat_interval=60, grace_period=180)
            study = optuna.create_study(storage=storage, study_name=args.study, direction="minimize",
                                        sampler=PerTrialSeededSampler(make, args.seed), pruner=pruner,
                                        load_if_exists=True)
            break
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError) as e:
            if not is_setup_race(e) or attempt == OPEN_ATTEMPTS:
                raise SearchError(f"cannot open the study database {shown_url(url)}: {str(e).splitlines()[0]}") from None
            reason = str(e.orig).splitlines()[0] if e.orig is not None else type(e).__name__
            print(f"search: another worker is setting up the database; retrying in {attempt} s; {reason}", flush=True)
            time.sleep(attempt)
        except (ImportError, sqlalchemy.exc.SQLAlchemyError, ValueError) as e:
            raise SearchError(f"cannot open the study database {shown_url(url)}: {str(e).splitlines()[0]}") from None
    created_with = study.user_attrs.get("objective")
    if created_with is None:
        study.set_user_attr("objective", args.objective)
        study.set_user_attr("space", args.space.name)
    elif created_with != args.objective:
        raise SearchError(f"study {args.study} minimises {created_with}; --objective {args.objective} would mix "
                          "values (choose another --study)")
    return study


class TrialReporter:
    """Optuna callback: one line per finished trial of this worker (Optuna's own log is kept to
    errors) and the count of each final state."""

    def __init__(self):
        self.counts = {States.COMPLETE: 0, States.PRUNED: 0, States.FAIL: 0}

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        self.counts[trial.state] = self.counts.get(trial.state, 0) + 1
        where = trial.user_attrs.get("run_dir", "")
        if trial.state == States.COMPLETE:
            best = study.best_trial
            print(f"search: trial {trial.number} done: {trial.value:.6g} ({where}); best {best.value:.6g} "
                  f"at trial {best.number}", flush=True)
        elif trial.state == States.PRUNED:
            step = trial.user_attrs.get("pruned_at_step")
            print(f"search: trial {trial.number} pruned at step {step} ({where})", flush=True)
        elif trial.state == States.FAIL:
            reason = trial.user_attrs.get("error", "an exception in search.py (see above)")
            print(f"search: trial {trial.number} failed: {reason}", flush=True)

    def summary(self) -> str:
        return (f"{self.counts[States.COMPLETE]} complete, {self.counts[States.PRUNED]} pruned, "
                f"{self.counts[States.FAIL]} failed")


def write_best(study: optuna.Study, space: SearchSpace, trial_settings: dict[str, str], out: Path,
               objective: str) -> optuna.trial.FrozenTrial:
    try:
        best = study.best_trial
    except ValueError:
        raise SearchError(f"--best {out}: study {study.study_name} has no completed trial yet") from None
    header = [
        f"# The best trial of study {study.study_name}: trial {best.number}, {objective} = {best.value:.6g}",
        f"# (run {best.user_attrs.get('run_dir', '?')}), written by tools/py/search.py: {space.base.name} with",
        "# the trial's values in place. Settings of the search trials only, not applied here:",
        "#   " + (" ".join(f"{k}={v}" for k, v in trial_settings.items()) or "(none)"),
        "",
    ]
    text = apply_overrides(space.base.read_text(), {k: format_value(v) for k, v in best.params.items()})
    write_text_atomically(out, "\n".join(header) + text)
    return best


def interrupt_on_sigterm() -> None:
    """SIGTERM ends the search as Ctrl-C does: the running trial is stopped and marked failed."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def run(args) -> int:
    known_keys = trainer_keys(args.train)
    space = load_space(args.space, known_keys)
    if args.base is not None:
        space.base = args.base.resolve()
    if not space.base.is_file():
        raise SearchError(f"{args.space}: base configuration {space.base} does not exist")
    args.study = args.study or args.space.stem
    runs_dir = (args.runs or Path("runs/search") / args.study).resolve()
    settings = {**objective_settings(args.objective, read_ini_values(space.base)),
                **{k: format_value(v) for k, v in space.trial_settings.items()},
                **parse_set(args.set, known_keys, space.params)}
    problem = check_objective_settings(args.objective, settings)
    if problem:
        raise SearchError(problem)
    url = storage_url(args.storage)
    study = open_study(args, url)
    print(f"search: study {args.study} in {shown_url(url)}: {len(study.trials)} trial(s) so far; "
          f"{args.trials} more here, minimising {args.objective}; runs in {runs_dir}", flush=True)
    runner = TrialRunner(space, args.train, runs_dir, args.objective, settings)
    interrupt_on_sigterm()
    reporter = TrialReporter()
    study.optimize(runner, n_trials=args.trials, catch=(TrialFailed,), callbacks=[reporter])
    print(f"search: this worker: {reporter.summary()}; the study holds {len(study.trials)} trial(s)", flush=True)
    if args.trials > 0 and reporter.counts[States.FAIL] == args.trials:
        print("search.py: every trial of this worker failed", file=sys.stderr)
        return 1
    if args.best:
        best = write_best(study, space, settings, args.best, args.objective)
        print(f"search: wrote {args.best} (trial {best.number}, {args.objective} {best.value:.6g})", flush=True)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    # RDBStorage's heartbeat (marking dead workers' trials failed) is flagged experimental.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    try:
        return run(args)
    except (SearchError, SpaceError) as e:
        print(f"search.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("search.py: interrupted; the running trial was stopped and marked failed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
