"""A search space for tools/py/search.py: a YAML file naming a base configuration, settings for
every trial and the parameters to draw (docs/search.md, "Search spaces").

    base: ../quick.ini              # relative to the YAML file
    trial_settings:                 # every trial, not the --best config (run length, intervals)
      train.max_steps: 40
    params:                         # Optuna parameter name = the flowjet key it sets
      model.bins: {type: int, low: 4, high: 8}
      train.lr: {type: float, low: 3.0e-4, high: 3.0e-3, log: true}
      model.batchnorm: {type: categorical, choices: [true, false]}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TOP_LEVEL_FIELDS = ("base", "trial_settings", "params")
PARAM_FIELDS = {
    "int": ("type", "low", "high", "step", "log"),
    "float": ("type", "low", "high", "step", "log"),
    "categorical": ("type", "choices"),
}


class SpaceError(Exception):
    """A mistake in a search-space file; the message names the file and the entry."""


@dataclass
class SearchSpace:
    path: Path
    base: Path
    trial_settings: dict[str, object] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)


def format_value(value: object) -> str:
    """A value as bin/train reads it: booleans as true/false, floats with all their digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _number(where: str, name: str, value: object, kind: str) -> float | int:
    # PyYAML (YAML 1.1) reads "1e-4" without a dot as a string, so numeric strings are accepted.
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise SpaceError(f"{where}: {name} = {value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpaceError(f"{where}: {name} = {value!r} is not a finite number")
    if kind == "int":
        if value != int(value):
            raise SpaceError(f"{where}: {name} = {value!r} is not an integer")
        return int(value)
    return float(value)


def _check_param(where: str, spec: object) -> dict:
    if not isinstance(spec, dict):
        raise SpaceError(f"{where}: expected a mapping such as {{type: int, low: 1, high: 5}}, got {spec!r}")
    kind = spec.get("type")
    if kind not in PARAM_FIELDS:
        raise SpaceError(f"{where}: type {kind!r} is not one of {', '.join(PARAM_FIELDS)}")
    unknown = [k for k in spec if k not in PARAM_FIELDS[kind]]
    if unknown:
        raise SpaceError(f"{where}: unknown field {unknown[0]!r} for type {kind} "
                         f"(expected {', '.join(PARAM_FIELDS[kind])})")
    if kind == "categorical":
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            raise SpaceError(f"{where}: choices must be a non-empty list")
        for c in choices:
            if not isinstance(c, (bool, int, float, str)):
                raise SpaceError(f"{where}: choice {c!r} is not a number, string or boolean")
        return {"type": kind, "choices": list(choices)}
    for required in ("low", "high"):
        if required not in spec:
            raise SpaceError(f"{where}: missing field {required!r}")
    checked = {"type": kind, "low": _number(where, "low", spec["low"], kind),
               "high": _number(where, "high", spec["high"], kind), "log": spec.get("log", False)}
    if checked["low"] > checked["high"]:
        raise SpaceError(f"{where}: low {checked['low']} is above high {checked['high']}")
    if not isinstance(checked["log"], bool):
        raise SpaceError(f"{where}: log must be true or false, got {checked['log']!r}")
    if checked["log"] and checked["low"] <= 0:
        raise SpaceError(f"{where}: a log range needs low > 0, got {checked['low']}")
    if "step" in spec:
        if checked["log"]:
            raise SpaceError(f"{where}: step and log cannot be combined")
        checked["step"] = _number(where, "step", spec["step"], kind)
        if checked["step"] <= 0:
            raise SpaceError(f"{where}: step must be positive, got {checked['step']}")
    return checked


def _check_key(where: str, key: object, known_keys: set[str]) -> str:
    if not isinstance(key, str) or key not in known_keys:
        raise SpaceError(f"{where}: {key!r} is not a bin/train key (section.key, see bin/train --keys)")
    return key


def load_space(path: Path, known_keys: set[str]) -> SearchSpace:
    """Reads and checks a space; `known_keys` are the "section.key" names bin/train accepts."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        raise SpaceError(f"{path}: cannot read the search space: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise SpaceError(f"{path}: not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise SpaceError(f"{path}: expected a mapping with {', '.join(TOP_LEVEL_FIELDS)}")
    unknown = [k for k in data if k not in TOP_LEVEL_FIELDS]
    if unknown:
        raise SpaceError(f"{path}: unknown entry {unknown[0]!r} (expected {', '.join(TOP_LEVEL_FIELDS)})")
    if not isinstance(data.get("base"), str):
        raise SpaceError(f"{path}: base must name the configuration file the trials start from")
    base = (path.parent / data["base"]).resolve()
    settings = data.get("trial_settings") or {}
    params = data.get("params") or {}
    if not isinstance(settings, dict):
        raise SpaceError(f"{path}: trial_settings must be a mapping of section.key: value")
    if not isinstance(params, dict) or not params:
        raise SpaceError(f"{path}: params must map at least one section.key to its range")
    space = SearchSpace(path=path, base=base)
    for key, value in settings.items():
        where = f"{path}: trial_settings.{key}"
        _check_key(where, key, known_keys)
        if not isinstance(value, (bool, int, float, str)):
            raise SpaceError(f"{where}: {value!r} is not a number, string or boolean")
        space.trial_settings[key] = value
    for key, spec in params.items():
        where = f"{path}: params.{key}"
        space.params[_check_key(where, key, known_keys)] = _check_param(where, spec)
        if key in space.trial_settings:
            raise SpaceError(f"{where}: the key is also fixed in trial_settings")
    return space


def suggest(trial, space: SearchSpace) -> dict[str, object]:
    """Draws every parameter of the space for an Optuna trial; keys are flowjet keys."""
    values = {}
    for key, spec in space.params.items():
        if spec["type"] == "categorical":
            values[key] = trial.suggest_categorical(key, spec["choices"])
        elif spec["type"] == "int":
            values[key] = trial.suggest_int(key, spec["low"], spec["high"], step=spec.get("step", 1), log=spec["log"])
        else:
            values[key] = trial.suggest_float(key, spec["low"], spec["high"], step=spec.get("step"), log=spec["log"])
    return values
