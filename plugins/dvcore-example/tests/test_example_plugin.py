"""The example plugin's tests: dvcore's contracts, then what is particular to the plugin.

``TestVolunteerExporter`` inherits every case of :class:`~dvcore.testing.contracts.
ExporterContract`; the cases below check the event type, the indicator and the
Vietnamese CSV table of the plugin.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dvcore_example import VolunteerExporter, VolunteerHoursReported, plugin

from dvcore import InputChannel, open_store
from dvcore.errors import ValidationError
from dvcore.importing import import_files
from dvcore.registry import (
    get_plugin_manager,
    plugin_event_types,
    plugin_exporters,
    plugin_indicators,
    plugin_input_channels,
)
from dvcore.tables import template_columns
from dvcore.testing.contracts import ExporterContract


def _csv_channel() -> InputChannel:
    """dvcore's CSV channel, as the plugin manager hands it out (its class is private)."""
    return plugin_input_channels(get_plugin_manager(autoload=False))["csv"]


class TestVolunteerExporter(ExporterContract):
    """The exporter passes every case of the exporter contract."""

    plugin = plugin

    @pytest.fixture
    def exporter(self) -> VolunteerExporter:
        return VolunteerExporter()


# --- the plugin's own cases -----------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A store that knows the plugin (and no other installed one), with the demo's units."""
    from dvcore.testing.demo import hai_phong_events

    pm = get_plugin_manager(autoload=False, plugins=[plugin])
    s = open_store(
        f"sqlite:///{tmp_path / 'store.db'}",
        clock=lambda: dt.datetime(2023, 9, 20, 3, tzinfo=dt.UTC),
        event_types=plugin_event_types(pm),
        indicators=plugin_indicators(pm),
    )
    s.append([e for e in hai_phong_events() if e["type"] == "UnitRegistered"])
    yield s
    s.close()


def test_the_plugin_registers_its_type_indicator_and_exporter() -> None:
    pm = get_plugin_manager(autoload=False, plugins=[plugin])
    assert plugin_event_types(pm).get("VolunteerHoursReported") is VolunteerHoursReported
    assert [i.code for i in plugin_indicators(pm)] == ["volunteer.hours"]
    assert isinstance(plugin_exporters(pm)["volunteer-md"], VolunteerExporter)


def test_the_entry_point_names_the_plugin_module() -> None:
    try:
        dist = importlib.metadata.distribution("dvcore-example")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("dvcore-example is not installed (pip install -e plugins/dvcore-example)")
    (entry,) = [e for e in dist.entry_points if e.group == "dvcore"]
    assert entry.load() is plugin


def test_volunteer_hours_add_up_by_activity_and_level(store: Any) -> None:
    store.append(
        [
            {
                "type": "VolunteerHoursReported",
                "occurred_on": day,
                "unit": unit,
                "data": {
                    "window": [start, day],
                    "activity": activity,
                    "volunteers": 10,
                    "hours": hours,
                },
            }
            for unit, start, day, activity, hours in (
                ("HP.HB", "2023-01-01", "2023-03-31", "environment", "120.5"),
                ("HP.HB.01", "2023-04-01", "2023-06-30", "traffic", 40),
                ("HP.LC", "2023-07-01", "2023-09-30", "environment", "9.5"),
            )
        ]
    )
    snap = store.snapshot("HP", "2023-H1")
    assert snap.value("volunteer.hours") == Decimal("160.5")
    assert snap.by("volunteer.hours", "activity") == {
        "environment": Decimal("120.5"),
        "traffic": 40,
    }
    assert snap.by("volunteer.hours", "level") == {"district": Decimal("120.5"), "commune": 40}
    assert store.snapshot("HP", "2023-9M").value("volunteer.hours") == 170


def test_a_clerks_csv_with_vietnamese_headers_imports(store: Any, tmp_path: Path) -> None:
    headers = [c.label for c in template_columns(VolunteerHoursReported)]
    assert headers == [
        "Ngày",
        "Mã đơn vị",
        "Mã nguồn",
        "Từ ngày",
        "Đến ngày",
        "Lĩnh vực",
        "Số người",
        "Số giờ",
    ]
    path = tmp_path / "VolunteerHoursReported-quy-1.csv"
    path.write_text(
        "Ngày;Mã đơn vị;Từ ngày;Đến ngày;Lĩnh vực;Số người;Số giờ\n"
        "31/3/2023;HP.HB;1/1/2023;31/3/2023;Bảo vệ môi trường;1.200;2.450,5\n"
        "31/3/2023;HP.LC;1/1/2023;31/3/2023;An sinh xã hội;35;70\n",
        encoding="utf-8",
    )
    result = import_files(store, [path], {"csv": _csv_channel()})
    assert result.appended == 2
    snap = store.snapshot("HP", "2023-Q1")
    assert snap.value("volunteer.hours") == Decimal("2520.5")


def test_bad_reports_are_refused_with_every_problem(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "VolunteerHoursReported.csv"
    path.write_text(
        "occurred_on,unit,window_from,window_to,activity,volunteers,hours\n"
        "2023-03-31,HP.HB,2023-01-01,2023-03-31,sports,10,5\n"
        "2023-03-31,HP.HB,2023-03-31,2023-01-01,other,10,-5\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        import_files(store, [path], {"csv": _csv_channel()})
    rows = sorted((p.row, p.field) for p in caught.value.problems)
    assert {r for r, _f in rows} == {2, 3}
    assert "sports" in str(caught.value)
    assert "backwards" in str(caught.value) or "negative" in str(caught.value)
