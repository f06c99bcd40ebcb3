"""Reading and rewriting flowjet INI configurations (docs/train.md, "Configuration") for
tools/py/search.py: the base file with some keys changed, comments and order kept."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _key_value(line: str) -> tuple[str, str] | None:
    """(key, value) of a "key = value" line, the value without a trailing " #" / " ;" comment."""
    text = line.strip()
    if not text or text[0] in "#;[" or "=" not in text:
        return None
    key, value = (part.strip() for part in text.split("=", 1))
    for marker in (" #", " ;"):
        if marker in value:
            value = value[: value.index(marker)].rstrip()
    return key, value


def _section(line: str) -> str | None:
    text = line.strip()
    return text[1:-1].strip() if text.startswith("[") and text.endswith("]") else None


def read_ini_values(path: Path) -> dict[str, str]:
    """Every "section.key" the file sets, with its value as written."""
    values, section = {}, ""
    for line in path.read_text().splitlines():
        header = _section(line)
        if header is not None:
            section = header
            continue
        pair = _key_value(line)
        if pair and section:
            values[f"{section}.{pair[0]}"] = pair[1]
    return values


def apply_overrides(text: str, overrides: dict[str, str]) -> str:
    """The INI text with each "section.key" of `overrides` set: an existing line is replaced, a
    missing key goes after the last key of its section, a missing section is appended."""
    lines = text.splitlines()
    pending = dict(overrides)
    section, last_key_line = "", {}
    for i, line in enumerate(lines):
        header = _section(line)
        if header is not None:
            section = header
            last_key_line.setdefault(section, i)
            continue
        pair = _key_value(line)
        if pair and section:
            name = f"{section}.{pair[0]}"
            last_key_line[section] = i
            if name in pending:
                lines[i] = f"{pair[0]} = {pending.pop(name)}"
    insertions: dict[int, list[str]] = {}
    appended: dict[str, list[str]] = {}
    for name, value in pending.items():
        sec, key = name.split(".", 1)
        if sec in last_key_line:
            insertions.setdefault(last_key_line[sec], []).append(f"{key} = {value}")
        else:
            appended.setdefault(sec, []).append(f"{key} = {value}")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(insertions.get(i, []))
    for sec, entries in appended.items():
        out.extend(["", f"[{sec}]", *entries])
    return "\n".join(out) + "\n"


def write_text_atomically(path: Path, text: str) -> None:
    """Writes a temporary file beside `path` and renames it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
