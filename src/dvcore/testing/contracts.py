"""Contract tests for plugin authors: what every input channel and every exporter must do.

Subclass a contract in your plugin's tests and provide what it asks for; pytest collects
the inherited tests and runs them against your object::

    import pytest
    from dvcore.testing.contracts import ExporterContract

    from dvcore_example import plugin
    from dvcore_example.exporter import VolunteerExporter


    class TestVolunteerExporter(ExporterContract):
        plugin = plugin

        @pytest.fixture
        def exporter(self):
            return VolunteerExporter()

:class:`InputChannelContract` needs a ``channel`` fixture and :meth:`~InputChannelContract.
write_events` (how your format writes events: the contract writes the Hai Phong demo data
set, broken rows and Hypothesis-generated batches with it, and reads them back).
:class:`ExporterContract` needs an ``exporter`` fixture; it renders the demo data set's
9-month report. Both check, when the class names its ``plugin`` (the module with the hook
implementations), that the plugin registers the object through dvcore's hooks.

The contracts use a SQLite store in a temporary directory and the demo data set
(:func:`dvcore.testing.demo.hai_phong_events`); nothing else is needed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvcore.errors import Problem, ValidationError
from dvcore.serialization import EventTypes, canonical_json, event_from_dict, unstructure_data

__all__ = ["ExporterContract", "InputChannelContract", "demo_events", "fixed_clock"]

#: The instant the contracts' stores record at: the day Hai Phong's report was written.
RECORDED_AT = dt.datetime(2023, 9, 20, 3, 0, tzinfo=dt.UTC)


def fixed_clock() -> dt.datetime:
    """A clock that always says 20/9/2023 10:00 in Hanoi (stores need an aware instant)."""
    return RECORDED_AT


def demo_events() -> list[dict[str, Any]]:
    """The Hai Phong 2023 demo data set (seed 001), as JSON Lines dicts."""
    from dvcore.testing.demo import hai_phong_events

    return hai_phong_events()


def _open(path: Path, plugin: Any = None) -> Any:
    """A store at ``path`` knowing the core and ``plugin``'s types and indicators — and no
    other installed plugin, so a contract does not depend on what else is installed."""
    from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_indicators
    from dvcore.store import open_store

    pm = get_plugin_manager(autoload=False, plugins=[] if plugin is None else [plugin])
    return open_store(
        f"sqlite:///{path}",
        clock=fixed_clock,
        event_types=plugin_event_types(pm),
        indicators=plugin_indicators(pm),
    )


def _folder(path: Path) -> Path:
    """``path``, created (with its parents) if need be: :meth:`write_events` is handed a
    directory that exists, as its docstring promises."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def _canonical(item: Mapping[str, Any], types: EventTypes) -> str:
    """One text per event, whatever the format carried it as (ids and refs aside)."""
    event, problems = event_from_dict({k: v for k, v in item.items() if k != "id"}, types)
    assert event is not None, problems
    return canonical_json(
        [event.type, event.occurred_on.isoformat(), event.unit, unstructure_data(event.data)]
    )


def _read_all(channel: Any, paths: Sequence[Path], types: EventTypes) -> list[Any]:
    from dvcore.importing import rows_of

    return [item for path in paths for _sheet, _row, item in rows_of(channel, path, types)]


class InputChannelContract:
    """The cases every input channel passes. Provide a ``channel`` fixture and implement
    :meth:`write_events`.

    ``plugin`` (optional) is the module holding the channel's hook implementations.
    """

    plugin: ClassVar[Any] = None

    @pytest.fixture
    def channel(self) -> Any:
        """The channel under test (override this fixture)."""
        raise NotImplementedError("provide a `channel` fixture")

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        """Write ``events`` (JSON Lines dicts, possibly of every core type) into files of
        the channel's format in ``directory`` (the contract creates it first); return the
        files, in the order to import them. Values that are not valid (a date
        ``2023-02-30``) are written as text."""
        raise NotImplementedError("implement write_events(directory, events)")

    # --- the cases ------------------------------------------------------------------------

    def test_channel_shape(self, channel: Any) -> None:
        """A name, the file suffixes it reads (lower case, with the dot), and ``read``."""
        assert isinstance(channel.name, str)
        assert channel.name
        assert channel.suffixes
        assert all(s.startswith(".") and s == s.lower() for s in channel.suffixes)
        assert callable(channel.read)

    def test_registered_through_the_hook(self, channel: Any) -> None:
        """The plugin's ``dvcore_register_input_channels`` hook returns the channel."""
        if self.plugin is None:
            pytest.skip("the test class names no `plugin` module")
        from dvcore.registry import get_plugin_manager, plugin_input_channels

        channels = plugin_input_channels(get_plugin_manager(autoload=False, plugins=[self.plugin]))
        assert type(channels[channel.name]) is type(channel)

    def test_demo_round_trip(self, channel: Any, tmp_path: Path) -> None:
        """The demo data set, written and read back, gives the same events."""
        events = demo_events()
        types = EventTypes.core()
        items = _read_all(channel, self.write_events(tmp_path, events), types)
        problems = [i for i in items if isinstance(i, Problem)]
        assert problems == []
        assert Counter(_canonical(i, types) for i in items) == Counter(
            _canonical(e, types) for e in events
        )

    def test_reading_is_deterministic(self, channel: Any, tmp_path: Path) -> None:
        """Reading a file twice gives the same items, ``source_ref`` included: importing a
        file again appends nothing."""
        paths = self.write_events(tmp_path, demo_events()[:400])
        types = EventTypes.core()
        first = _read_all(channel, paths, types)
        assert first == _read_all(channel, paths, types)
        refs = [i.get("source_ref") for i in first if isinstance(i, dict)]
        assert all(refs) or all(r is None for r in refs)

    def test_import_gives_the_figures_of_json_lines(self, channel: Any, tmp_path: Path) -> None:
        """Imported into a fresh store, the files give the snapshot the JSON Lines give;
        importing them again appends nothing."""
        from dvcore.importing import import_files

        events = demo_events()
        paths = self.write_events(_folder(tmp_path / "files"), events)
        reference = _open(tmp_path / "reference.db", self.plugin)
        imported = _open(tmp_path / "imported.db", self.plugin)
        try:
            reference.append(events, actor="HP")
            channels = {channel.name: channel}
            first = import_files(imported, paths, channels, channel_name=channel.name)
            assert first.appended == len(events)
            again = import_files(imported, paths, channels, channel_name=channel.name)
            assert again.appended == 0
            for unit, period in (("HP", "2023-9M"), ("HP.HB", "2023-H1")):
                assert (
                    imported.snapshot(unit, period).to_dict()
                    == reference.snapshot(unit, period).to_dict()
                )
        finally:
            reference.close()
            imported.close()

    def test_every_problem_at_once(self, channel: Any, tmp_path: Path) -> None:
        """A bad date and an unknown unit, in two rows of one import, are both reported,
        and nothing is written."""
        from dvcore.importing import import_files

        events = demo_events()
        dialogues = [i for i, e in enumerate(events) if e["type"] == "DialogueHeld"]
        events[dialogues[29]] = {**events[dialogues[29]], "occurred_on": "2023-02-30"}
        events[dialogues[38]] = {**events[dialogues[38]], "unit": "HP.KHONG-CO"}
        paths = self.write_events(_folder(tmp_path / "files"), events)
        store = _open(tmp_path / "store.db", self.plugin)
        try:
            with pytest.raises(ValidationError) as caught:
                import_files(store, paths, {channel.name: channel}, channel_name=channel.name)
            assert store.head() == 0
        finally:
            store.close()
        problems = caught.value.problems
        assert any("date" in p.message for p in problems)
        assert any("HP.KHONG-CO" in p.message for p in problems)
        assert all(p.row is not None for p in problems)

    # One contract method runs in every subclass (a different channel each time): that is
    # what differing_executors warns of, and here it is the point.
    @settings(
        max_examples=25,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(data=st.data())
    def test_generated_events_round_trip(self, channel: Any, data: st.DataObject) -> None:
        """Events of every core type, as Hypothesis makes them, come back unchanged."""
        from dvcore.testing import strategies as dvst

        tree = data.draw(dvst.unit_trees())
        events = [*tree.events, *data.draw(dvst.core_events(tree))]
        types = EventTypes.core()
        with tempfile.TemporaryDirectory() as directory:
            items = _read_all(channel, self.write_events(Path(directory), events), types)
        problems = [i for i in items if isinstance(i, Problem)]
        assert problems == []
        assert Counter(_canonical(i, types) for i in items) == Counter(
            _canonical(e, types) for e in events
        )


class ExporterContract:
    """The cases every exporter passes. Provide an ``exporter`` fixture.

    ``plugin`` (optional) is the module holding the exporter's hook implementations;
    ``deterministic`` says the same report gives the same bytes (set it ``False`` for a
    format that stamps the time); ``report_kinds`` are the reports exported; override
    :meth:`read_text` for a binary format, to let the contract find the report's text.
    """

    plugin: ClassVar[Any] = None
    deterministic: ClassVar[bool] = True
    report_kinds: ClassVar[tuple[str, ...]] = ("periodic",)

    @pytest.fixture
    def exporter(self) -> Any:
        """The exporter under test (override this fixture)."""
        raise NotImplementedError("provide an `exporter` fixture")

    def read_text(self, path: Path) -> str | None:
        """The text of an exported file (``None``: the contract cannot read this format)."""
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return None

    @pytest.fixture(scope="class")
    @classmethod
    def report_store(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
        """A store holding the demo data set, shared by the class's cases."""
        store = _open(tmp_path_factory.mktemp("exporter-contract") / "demo.db", cls.plugin)
        store.append(demo_events(), actor="HP")
        yield store
        store.close()

    def report_context(self, store: Any, report: str) -> dict[str, Any]:
        """The context exporters render: Hai Phong's report for the first 9 months of 2023."""
        from dvcore.reports import build_context

        context = build_context(
            store, unit="HP", period="2023-9M", report=report, date=dt.date(2023, 9, 20)
        )
        return cast("dict[str, Any]", context)

    # --- the cases ------------------------------------------------------------------------

    def test_exporter_shape(self, exporter: Any) -> None:
        """A name, the suffix of the files it writes, and ``export``."""
        assert isinstance(exporter.name, str)
        assert exporter.name
        assert exporter.suffix.startswith(".")
        assert exporter.suffix == exporter.suffix.lower()
        assert callable(exporter.export)

    def test_registered_through_the_hook(self, exporter: Any) -> None:
        """The plugin's ``dvcore_register_exporters`` hook returns the exporter."""
        if self.plugin is None:
            pytest.skip("the test class names no `plugin` module")
        from dvcore.registry import get_plugin_manager, plugin_exporters

        exporters = plugin_exporters(get_plugin_manager(autoload=False, plugins=[self.plugin]))
        assert type(exporters[exporter.name]) is type(exporter)

    def test_export_writes_the_report(
        self, exporter: Any, report_store: Any, tmp_path: Path
    ) -> None:
        """``export`` writes a non-empty file at the path it is given and returns it; the
        unit's Vietnamese name survives, in NFC, when the contract can read the text."""
        import unicodedata

        for report in self.report_kinds:
            target = tmp_path / f"{report}{exporter.suffix}"
            written = exporter.export(self.report_context(report_store, report), target)
            assert Path(written) == target
            assert target.stat().st_size > 0
            text = self.read_text(target)
            if text is not None:
                assert "Hải Phòng" in text or "HẢI PHÒNG" in text
                assert unicodedata.normalize("NFC", text) == text

    def test_export_is_deterministic(
        self, exporter: Any, report_store: Any, tmp_path: Path
    ) -> None:
        """The same report gives the same bytes (a report is regenerated byte for byte)."""
        if not self.deterministic:
            pytest.skip("the exporter says its output is not deterministic")
        context = self.report_context(report_store, self.report_kinds[0])
        first = exporter.export(context, tmp_path / f"a{exporter.suffix}")
        second = exporter.export(
            self.report_context(report_store, self.report_kinds[0]),
            tmp_path / f"b{exporter.suffix}",
        )
        assert Path(first).read_bytes() == Path(second).read_bytes()

    def test_export_leaves_the_store_alone(
        self, exporter: Any, report_store: Any, tmp_path: Path
    ) -> None:
        """Exporting reads: the log's head and hash chain are the same afterwards."""
        before = report_store.verify()
        exporter.export(
            self.report_context(report_store, self.report_kinds[0]),
            tmp_path / f"r{exporter.suffix}",
        )
        after = report_store.verify()
        assert (after.ok, after.checked, after.head_hash) == (
            True,
            before.checked,
            before.head_hash,
        )
