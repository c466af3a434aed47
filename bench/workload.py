"""The benchmark workload: N JSON Lines events over the seed-001 unit tree and five years.

Half dialogues, four in ten models, one in ten inspections, each with a ``source_ref``
(issue 6). The unit tree (255 units) comes first, from the demo data set.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from dvcore._builtin import demo

__all__ = ["write_workload"]

_HOSTS = ("party_secretary", "chairman", "standing_committee", "other")
_FIELDS = ("ntm_model", "urban", "digital", "security", "economy", "culture_society", "other")


def write_workload(path: Path, n: int, seed: int = 2023) -> int:
    """Write the unit tree and ``n`` events to ``path``; returns the lines written."""
    rng = random.Random(seed)
    units = [e for e in demo.hai_phong_events() if e["type"] == "UnitRegistered"]
    codes = [u["data"]["code"] for u in units]
    start = dt.date(2021, 1, 1).toordinal()
    days = [dt.date.fromordinal(start + i).isoformat() for i in range(5 * 365)]
    with open(path, "w", encoding="utf-8") as fh:
        for u in units:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
        for i in range(n):
            r = rng.random()
            unit = codes[rng.randrange(len(codes))]
            day = days[rng.randrange(len(days))]
            if r < 0.5:
                ev = {
                    "type": "DialogueHeld",
                    "occurred_on": day,
                    "unit": unit,
                    "data": {
                        "host": _HOSTS[i % 4],
                        "participants": rng.randrange(20, 400),
                        "title": "Đối thoại với Nhân dân",
                    },
                }
            elif r < 0.9:
                ev = {
                    "type": "ModelRegistered",
                    "occurred_on": day,
                    "unit": unit,
                    "data": {
                        "model_id": f"M{i}",
                        "name": "Mô hình Dân vận khéo",
                        "field": _FIELDS[i % 7],
                        "year": int(day[:4]),
                    },
                }
            else:
                ev = {
                    "type": "InspectionConducted",
                    "occurred_on": day,
                    "unit": unit,
                    "data": {
                        "kind": "inspection" if i % 2 else "supervision",
                        "topic": "Công tác dân vận",
                    },
                }
            ev["source_ref"] = f"bench:{i}"
            fh.write(json.dumps(ev, ensure_ascii=False) + "\n")
    return len(units) + n
