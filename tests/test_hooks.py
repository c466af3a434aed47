"""The plugin hooks: every hook works from an installed plugin, is tested and documented.

Plugins here are real distributions: :func:`install` writes a module and its
``.dist-info`` (with a ``dvcore`` entry point) into a directory put on ``sys.path``, so the
plugin manager finds them through ``importlib.metadata`` exactly as it finds a
``pip install``-ed plugin. As datasette does, a test fails when a hook of
``dvcore.hookspecs`` has no ``test_hook_<name>`` here, or no documentation.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from click.testing import CliRunner

import dvcore
from dvcore import hookimpl, hookspecs, open_store
from dvcore.cli import main
from dvcore.errors import PluginError
from dvcore.events import EventData
from dvcore.indicators import Contribution, Indicator
from dvcore.registry import (
    get_plugin_manager,
    plugin_event_types,
    plugin_exporters,
    plugin_indicators,
    plugin_input_channels,
    provided_by,
)

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("dvcore_"))

Install = Callable[[str, str], str]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install a plugin distribution: ``install(module_name, source)`` → its directory.

    The module is the entry point (group ``dvcore``) of a distribution named after it;
    plugin autoloading is switched on for the test.
    """
    names: list[str] = []

    def make(module: str, source: str) -> str:
        site = tmp_path / f"site-{module}"
        site.mkdir()
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        dist = site / f"{module}-0.1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n",
            encoding="utf-8",
        )
        (dist / "entry_points.txt").write_text(f"[dvcore]\n{module} = {module}\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(site))
        names.append(module)
        return str(site)

    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
    yield make
    for module in names:
        sys.modules.pop(module, None)


@attrs.frozen(kw_only=True)
class TreePlanted(EventData):
    """Trees a unit's people planted (a plugin's event type)."""

    type_name: ClassVar[str] = "TreePlanted"
    trees: int = attrs.field(metadata={"label": "Số cây"})
    place: str | None = None


def _trees(data: EventData) -> list[Contribution]:
    assert isinstance(data, TreePlanted)
    return [Contribution(indicator="trees.planted", value=data.trees)]


TREES = Indicator(
    code="trees.planted",
    title="Cây xanh được trồng",
    unit_label="cây",
    source="test",
    extractors={"TreePlanted": _trees},
)


class TreePlugin:
    """A plugin object with an event type and an indicator."""

    @staticmethod
    @hookimpl
    def dvcore_register_event_types() -> list[type[EventData]]:
        return [TreePlanted]

    @staticmethod
    @hookimpl
    def dvcore_register_indicators() -> list[Indicator]:
        return [TREES]


def _units(store: Any) -> None:
    store.append(
        [
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "Thành phố Hải Phòng", "kind": "city"},
            }
        ]
    )


# --- one test per hook -----------------------------------------------------------------------


def test_hook_dvcore_register_event_types(tmp_path: Path, clock: Any) -> None:
    pm = get_plugin_manager(autoload=False, plugins=[TreePlugin])
    types = plugin_event_types(pm)
    assert types.get("TreePlanted") is TreePlanted
    assert types.get("DialogueHeld") is not None  # the core's, through the same hook
    store = open_store(
        f"sqlite:///{tmp_path / 's.db'}", clock=clock, event_types=types, indicators=[]
    )
    try:
        _units(store)
        store.append(
            [
                {
                    "type": "TreePlanted",
                    "occurred_on": "2023-03-12",
                    "unit": "HP",
                    "data": {"trees": 1500},
                }
            ]
        )
        (event,) = store.read(after=1)
        assert event.data == TreePlanted(trees=1500)
        # The CSV channel reads the plugin's type too, by its Vietnamese label.
        from dvcore._builtin.csv_channel import CsvChannel

        path = tmp_path / "TreePlanted-2023.csv"
        path.write_text("Ngày,Mã đơn vị,Số cây\n12/3/2023,HP,2.500\n", encoding="utf-8")
        ((_row, item),) = CsvChannel().read(path, types)
        assert item["data"] == {"trees": 2500}
    finally:
        store.close()


def test_hook_dvcore_register_indicators(tmp_path: Path, clock: Any) -> None:
    pm = get_plugin_manager(autoload=False, plugins=[TreePlugin])
    assert plugin_indicators(pm) == [TREES]  # the core's own are not repeated
    providers = {i.code: who for who, i in provided_by(pm, "dvcore_register_indicators")}
    assert (providers["trees.planted"], providers["dialogue.count"]) == ("TreePlugin", "dvcore")
    store = open_store(
        f"sqlite:///{tmp_path / 's.db'}",
        clock=clock,
        event_types=plugin_event_types(pm),
        indicators=plugin_indicators(pm),
    )
    try:
        _units(store)
        store.append(
            [
                {
                    "type": "TreePlanted",
                    "occurred_on": f"2023-0{m}-01",
                    "unit": "HP",
                    "data": {"trees": 100 * m},
                }
                for m in (1, 2, 7)
            ]
        )
        assert store.snapshot("HP", "2023-H1").value("trees.planted") == 300
    finally:
        store.close()


_CHANNEL_PLUGIN = '''
    from pathlib import Path
    import dvcore

    class PipeChannel:
        """Reads ``.pipe`` files: ``day|unit|host`` lines of dialogues."""

        name = "pipe"
        suffixes = (".pipe",)

        def read(self, path, types=None):
            for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
                day, unit, host = line.split("|")
                yield number, {"type": "DialogueHeld", "occurred_on": day, "unit": unit,
                               "data": {"host": host}}

    @dvcore.hookimpl
    def dvcore_register_input_channels():
        return [PipeChannel()]
'''


def test_hook_dvcore_register_input_channels(install: Install, tmp_path: Path) -> None:
    install("dvcore_pipe_channel", _CHANNEL_PLUGIN)
    pm = get_plugin_manager()
    assert "pipe" in plugin_input_channels(pm)
    assert all(isinstance(c, dvcore.InputChannel) for c in plugin_input_channels(pm).values())
    providers = {item.name: who for who, item in provided_by(pm, "dvcore_register_input_channels")}
    assert providers["pipe"] == "dvcore-pipe-channel 0.1"
    assert providers["csv"] == "dvcore"
    url = f"sqlite:///{tmp_path / 's.db'}"
    units = tmp_path / "units.jsonl"
    units.write_text(
        json.dumps(
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "Hải Phòng", "kind": "city"},
            }
        )
        + "\n"
    )
    dialogues = tmp_path / "doi-thoai.pipe"
    dialogues.write_text("2023-03-30|HP|chairman\n2023-04-02|HP|other\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--store", url, "import", str(units), str(dialogues)])
    assert result.exit_code == 0, result.output
    assert "appended 3 events" in result.output


_EXPORTER_PLUGIN = '''
    import dvcore

    class LineExporter:
        """Writes one line: the unit and its dialogues."""

        name = "line"
        suffix = ".txt"

        def export(self, context, path):
            snapshot = context["snapshot"]
            path.write_text(f"{context['unit']}: {snapshot.value('dialogue.count')}\\n",
                            encoding="utf-8")
            return path

    @dvcore.hookimpl
    def dvcore_register_exporters():
        return [LineExporter()]
'''


def test_hook_dvcore_register_exporters(install: Install, tmp_path: Path, clock: Any) -> None:
    install("dvcore_line_exporter", _EXPORTER_PLUGIN)
    exporters = plugin_exporters(get_plugin_manager())
    exporter = exporters["line"]
    assert all(isinstance(e, dvcore.Exporter) for e in exporters.values())
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    try:
        _units(store)
        store.append(
            [
                {
                    "type": "DialogueHeld",
                    "occurred_on": "2023-03-30",
                    "unit": "HP",
                    "data": {"host": "chairman"},
                }
            ]
        )
        context = {"unit": "HP", "snapshot": store.snapshot("HP", "2023-9M")}
        exporter.export(context, tmp_path / "out.txt")
    finally:
        store.close()
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "HP: 1\n"
    listing = CliRunner().invoke(main, ["plugins"])
    rows = [" ".join(line.replace("│", " ").split()) for line in listing.output.splitlines()]
    assert "exporter line dvcore-line-exporter 0.1" in rows


_COMMAND_PLUGIN = '''
    import click
    import dvcore

    @click.command("xin-chao")
    @click.option("--name", default="Hải Phòng")
    def hello(name):
        """Say hello."""
        click.echo(f"Xin chào {name}")

    @dvcore.hookimpl
    def dvcore_register_commands():
        return [hello]
'''


def test_hook_dvcore_register_commands(install: Install) -> None:
    site = install("dvcore_hello_command", _COMMAND_PLUGIN)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([site, *sys.path]),
        "DVCORE_DISABLE_PLUGIN_AUTOLOAD": "0",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dvcore.cli import main; main()",
            "xin-chao",
            "--name",
            "Thủy Nguyên",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Xin chào Thủy Nguyên\n"


_LISTENER_PLUGIN = """
    import dvcore

    SEEN = []

    @dvcore.hookimpl
    def dvcore_events_appended(events):
        SEEN.append([(e.position, e.type, e.unit) for e in events])
"""


def test_hook_dvcore_events_appended(install: Install, tmp_path: Path, clock: Any) -> None:
    install("dvcore_listener", _LISTENER_PLUGIN)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    try:
        _units(store)
        batch = [
            {
                "type": "DialogueHeld",
                "occurred_on": f"2023-03-0{d}",
                "unit": "HP",
                "data": {"host": "chairman"},
                "source_ref": f"d{d}",
            }
            for d in (1, 2)
        ]
        store.append(batch)
        store.append(batch)  # duplicates: appends nothing, tells nothing
        store.append(batch, dry_run=True)
    finally:
        store.close()
    seen = sys.modules["dvcore_listener"].SEEN
    assert seen == [
        [(1, "UnitRegistered", "HP")],
        [(2, "DialogueHeld", "HP"), (3, "DialogueHeld", "HP")],
    ]


# --- every hook tested and documented ---------------------------------------------------------


def test_every_hook_has_a_test() -> None:
    assert HOOKS, "hookspecs declares no hook"
    missing = [h for h in HOOKS if f"test_hook_{h}" not in globals()]
    assert missing == [], f"hooks without a test_hook_<name> in {__name__}: {missing}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert ":returns:" in doc or ":param " in doc, f"{hook}: document its params or return"
    assert ".. versionadded::" in doc, f"{hook}: say when it was added"
    for name in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f":param {name}:" in doc, f"{hook}: document the parameter {name}"
    docs = "".join(
        (ROOT / "docs" / name).read_text(encoding="utf-8")
        for name in ("api.md", "plugins.md")
        if (ROOT / "docs" / name).is_file()
    )
    assert hook in docs, f"{hook} appears in neither docs/api.md nor docs/plugins.md"


def test_the_register_hooks_return_the_public_protocols() -> None:
    """The channel and exporter hooks are typed with ``dvcore.InputChannel`` and
    ``dvcore.Exporter``, not ``Any``: a plugin author's type checker holds them to it."""
    returns = {
        hook: inspect.signature(getattr(hookspecs, hook)).return_annotation for hook in HOOKS
    }
    assert returns["dvcore_register_input_channels"] == "list[InputChannel]"
    assert returns["dvcore_register_exporters"] == "list[Exporter]"
    assert all("Any" not in str(r) for r in returns.values()), returns


# --- the manager --------------------------------------------------------------------------------


def test_autoload_can_be_switched_off(install: Install, monkeypatch: pytest.MonkeyPatch) -> None:
    install("dvcore_listener", _LISTENER_PLUGIN)

    def loaded(**kwargs: Any) -> bool:
        return get_plugin_manager(**kwargs).get_plugin("dvcore_listener") is not None

    assert loaded()
    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert not loaded()
    assert loaded(autoload=True)  # the caller's word wins over the environment
    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
    assert not loaded(autoload=False)


class _Channel:
    """A stand-in channel named ``csv``."""

    name = "csv"
    suffixes = (".csv",)

    def read(self, path: Path, types: Any = None) -> Iterator[tuple[int, Any]]:
        """Nothing to read."""
        return iter(())


class ChannelA:
    """A plugin registering a channel named ``shared``."""

    @staticmethod
    @hookimpl
    def dvcore_register_input_channels() -> list[Any]:
        channel = _Channel()
        channel.name = "shared"
        return [channel]


class ChannelB(ChannelA):
    """Another plugin registering a channel named ``shared``."""


class CsvToo:
    """A plugin registering a second ``csv`` channel."""

    @staticmethod
    @hookimpl
    def dvcore_register_input_channels() -> list[Any]:
        return [_Channel()]


class DialogueToo:
    """A plugin registering a second ``DialogueHeld`` event type."""

    @staticmethod
    @hookimpl
    def dvcore_register_event_types() -> list[type[EventData]]:
        @attrs.frozen
        class Dialogue(EventData):
            type_name: ClassVar[str] = "DialogueHeld"

        return [Dialogue]


def test_two_plugins_registering_one_name_are_refused_naming_both() -> None:
    pm = get_plugin_manager(autoload=False, plugins=[ChannelA, ChannelB])
    with pytest.raises(PluginError, match="input channel 'shared'") as caught:
        plugin_input_channels(pm)
    assert set(caught.value.context["plugins"]) == {"ChannelA", "ChannelB"}
    with pytest.raises(PluginError, match="input channel 'csv'") as caught:
        plugin_input_channels(get_plugin_manager(autoload=False, plugins=[CsvToo]))
    assert set(caught.value.context["plugins"]) == {"CsvToo", "dvcore"}
    with pytest.raises(PluginError, match="event type 'DialogueHeld'") as caught:
        plugin_event_types(get_plugin_manager(autoload=False, plugins=[DialogueToo]))
    assert "dvcore" in caught.value.context["plugins"]


class Misspelled:
    """A plugin whose hook name has a typo."""

    @staticmethod
    @hookimpl
    def dvcore_register_chanels() -> list[Any]:
        return []


def test_a_misspelled_hook_fails_loudly(install: Install, tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="dvcore_register_chanels"):
        get_plugin_manager(autoload=False, plugins=[Misspelled])
    install(
        "dvcore_typo",
        """
        import dvcore

        @dvcore.hookimpl
        def dvcore_export_registered():
            return []
    """,
    )
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 1
    assert "dvcore_export_registered" in result.output
    assert "Traceback" not in result.output


def test_the_store_uses_installed_plugins(install: Install, tmp_path: Path) -> None:
    install(
        "dvcore_trees",
        """
        from typing import ClassVar

        import attrs
        import dvcore
        from dvcore.events import EventData
        from dvcore.indicators import Contribution, Indicator

        @attrs.frozen(kw_only=True)
        class TreePlanted(EventData):
            type_name: ClassVar[str] = "TreePlanted"
            trees: int

        def trees(data):
            return [Contribution(indicator="trees.planted", value=data.trees)]

        @dvcore.hookimpl
        def dvcore_register_event_types():
            return [TreePlanted]

        @dvcore.hookimpl
        def dvcore_register_indicators():
            return [Indicator(code="trees.planted", title="Cây", source="trees",
                              extractors={"TreePlanted": trees})]
    """,
    )
    store = open_store(
        f"sqlite:///{tmp_path / 's.db'}", clock=lambda: dt.datetime(2023, 9, 20, tzinfo=dt.UTC)
    )
    try:
        _units(store)
        store.append(
            [
                {
                    "type": "TreePlanted",
                    "occurred_on": "2023-05-01",
                    "unit": "HP",
                    "data": {"trees": 12},
                }
            ]
        )
        assert store.snapshot("HP", "2023").value("trees.planted") == 12
    finally:
        store.close()
