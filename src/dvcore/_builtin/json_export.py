"""The JSON exporter: the snapshot and target results of a report, as one JSON document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["JsonExporter"]


@attrs.frozen
class JsonExporter:
    """Writes ``{"snapshot": …, "targets": …}`` in the shapes of the command line's JSON."""

    name: str = "json"
    suffix: str = ".json"

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Write the report context's snapshot and targets to ``path``."""
        document = {
            "snapshot": context["snapshot"].to_dict(),
            "targets": {
                "unit": context["unit"],
                "as_of": context["as_of"].isoformat(),
                "targets": [t.to_dict() for t in context["targets"]],
            },
        }
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path
