"""The JSON Lines input channel: one event a line, in the canonical shape of DESIGN.md §6."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from dvcore.errors import Problem

__all__ = ["JsonLinesChannel"]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


# One decoder for every line (json.loads with an argument builds a new one each call).
_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def _line_problem(source: str, number: int, message: str) -> Problem:
    return Problem(source=source, row=number, field=None, message=message)


@attrs.frozen
class JsonLinesChannel:
    """Reads ``.jsonl`` files. Blank lines are skipped; every bad line is a problem.

    ``max_line_bytes`` and ``max_lines`` bound what one file may hold: past them the line
    (or the file) is refused with a problem, and no more than one line's limit is read
    into memory at a time.
    """

    name: str = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson", ".json")
    max_line_bytes: int = 1_000_000
    max_lines: int = 10_000_000

    def read(self, path: Path, types: Any = None) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        """Yield ``(line number, event dict)`` or ``(line number, problem)`` for every line."""
        source = str(path)
        with open(path, "rb") as fh:
            number = 0
            while raw := fh.readline(self.max_line_bytes + 1):  # never more than a line's limit
                number += 1
                if number > self.max_lines:
                    yield (
                        number,
                        _line_problem(
                            source,
                            number,
                            f"the file has more than {self.max_lines} lines: split it",
                        ),
                    )
                    return
                if len(raw) > self.max_line_bytes:
                    while raw and not raw.endswith(b"\n"):  # skip the rest, a bounded piece a time
                        raw = fh.readline(self.max_line_bytes + 1)
                    yield (
                        number,
                        _line_problem(
                            source, number, f"the line is longer than {self.max_line_bytes} bytes"
                        ),
                    )
                    continue
                try:
                    text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    yield (
                        number,
                        _line_problem(source, number, f"not UTF-8 text (byte {exc.start + 1})"),
                    )
                    continue
                if not text.strip():
                    continue
                try:
                    item = _DECODER.decode(text)
                except (ValueError, RecursionError) as exc:
                    yield number, _line_problem(source, number, f"not a JSON object: {exc}")
                    continue
                if not isinstance(item, dict):
                    yield number, _line_problem(source, number, "each line must be one JSON object")
                    continue
                yield number, item
