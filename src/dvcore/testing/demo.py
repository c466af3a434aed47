"""The Hai Phong demo data set, for the tests of plugins and applications.

The same data ``dvcore demo`` records: the events that reproduce the figures of Hai
Phong's 9-month report of 2023 (:func:`hai_phong_events`), facts recorded after it was
made (:func:`late_entries`), and the 2025 merge of three wards (:func:`merge_2025_events`).
:func:`open_demo_store` records them all, each sitting at the instant it would have
happened, and :func:`demo_context` gives the periodic report's context as known at
:data:`REPORTED_AT`::

    store, _counts = open_demo_store(f"sqlite:///{tmp_path / 'demo.db'}")
    context = demo_context(store)
    exporter.export(context, tmp_path / "report.docx")
"""

from __future__ import annotations

from dvcore._builtin.demo import (
    CITY,
    MERGED_WARD,
    MERGED_WARD_SOURCES,
    hai_phong_events,
    late_entries,
    merge_2025_events,
)
from dvcore._builtin.demo_run import REPORTED_AT, demo_context, open_demo_store

__all__ = [
    "CITY",
    "MERGED_WARD",
    "MERGED_WARD_SOURCES",
    "REPORTED_AT",
    "demo_context",
    "hai_phong_events",
    "late_entries",
    "merge_2025_events",
    "open_demo_store",
]
