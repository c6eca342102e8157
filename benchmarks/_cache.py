"""The benchmarks' cache of fits: one JSON record per line, appended as each
fit ends, so that an interrupted run keeps what it did and a new run only adds
what is missing."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_records(
    path: Path, key: Callable[[dict], tuple]
) -> dict[tuple, dict[str, Any]]:
    """The stored fits by ``key(record)``; a later line for the same key wins."""
    records: dict[tuple, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                records[key(record)] = record
    return records


def append_record(record: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(json.dumps(record) + "\n")
