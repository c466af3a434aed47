"""The ``dvcore`` command line: the only module that prints.

Exit codes: 0 success; 1 a verification or target check the user asked for failed (or the
store itself failed); 2 bad input — with a message that names the file, row and field, no
traceback, and nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from dvcore.errors import (
    DvcoreError,
    InputError,
)
from dvcore.periods import CUTOFFS, parse_date

__all__ = ["main"]


class _Context:
    def __init__(self, store_url: str | None, actor: str | None, cutoff: str) -> None:
        self.store_url = store_url
        self.actor = actor
        self.cutoff = cutoff

    def open(self, *, create: bool = True, clock: Any = None) -> Any:
        import os

        from dvcore.store import open_store

        # How long a SQLite writer waits for another writer's lock before "the store is busy".
        busy = os.environ.get("DVCORE_BUSY_TIMEOUT", "30")
        try:
            busy_timeout = float(busy)
        except ValueError:
            raise InputError(
                f"DVCORE_BUSY_TIMEOUT must be a number of seconds, not '{busy}'"
            ) from None
        return open_store(
            self.store_url,
            create=create,
            cutoff=self.cutoff,  # type: ignore[arg-type]
            clock=clock,
            busy_timeout=busy_timeout,
        )


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn dvcore's errors into messages and exit codes, never tracebacks."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:  # bad input, ValidationError among them
            _fail(exc.message, 2)
        except DvcoreError as exc:  # a failed verification, a failed store
            _fail(exc.message, 1)

    return wrapper


def _cutoff_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--cutoff`` on a reporting command too (it overrides the global option)."""
    import functools

    @click.option(
        "--cutoff",
        "command_cutoff",
        type=click.Choice(CUTOFFS),
        default=None,
        help="How named periods are cut (overrides the global --cutoff).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, command_cutoff: str | None = None, **kwargs: Any) -> Any:
        if command_cutoff is not None:
            click.get_current_context().find_object(_Context).cutoff = command_cutoff  # type: ignore[union-attr]
        return func(*args, **kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_url",
    envvar="DVCORE_STORE",
    metavar="URL",
    help="sqlite:///FILE (default sqlite:///dvcore.db) or postgresql+psycopg://…",
)
@click.option("--actor", metavar="UNIT", help="The unit recording (kept on every event).")
@click.option(
    "--cutoff",
    type=click.Choice(CUTOFFS),
    default="calendar",
    show_default=True,
    help="How named periods are cut: calendar, or Decree 09's 15th-to-14th.",
)
@click.version_option(package_name="dvcore")
@click.pass_context
def main(ctx: click.Context, store_url: str | None, actor: str | None, cutoff: str) -> None:
    """dvcore: reports of the mass-mobilization committees, rebuilt from events."""
    ctx.obj = _Context(store_url, actor, cutoff)


@main.command()
@click.pass_obj
@_guard
def init(obj: _Context) -> None:
    """Create the store (or upgrade its schema)."""
    store = obj.open()
    click.echo(
        f"store ready: {store.engine.url.render_as_string(hide_password=True)} "
        f"({store.head()} events)"
    )


# --- import ---------------------------------------------------------------------------------


def _channel_for(path: Path, name: str | None, channels: dict[str, Any]) -> Any:
    if name is not None:
        if name not in channels:
            raise InputError(f"unknown channel '{name}'; installed: {', '.join(sorted(channels))}")
        return channels[name]
    suffix = path.suffix.lower()
    for channel in channels.values():
        if suffix in channel.suffixes:
            return channel
    raise InputError(
        f"{path}: no channel reads '{suffix}' files; installed: "
        f"{', '.join(sorted(channels))} (choose one with --channel)"
    )


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--channel", "channel_name", help="The input channel (default: by file suffix).")
@click.option("--dry-run", is_flag=True, help="Validate everything, write nothing.")
@click.option(
    "--type",
    "event_type",
    metavar="TYPE",
    help="The event type of CSV files whose name does not say it.",
)
@click.option("--unit", metavar="CODE", help="The unit submitting the files (default: --actor).")
@click.option(
    "--period",
    "period_spec",
    metavar="SPEC",
    help="The period the files cover (for `dvcore submissions`).",
)
@click.pass_obj
@_guard
def import_(
    obj: _Context,
    files: tuple[Path, ...],
    channel_name: str | None,
    dry_run: bool,
    event_type: str | None,
    unit: str | None,
    period_spec: str | None,
) -> None:
    """Import FILES in one transaction: all of them, or nothing.

    Every problem of every file is reported (file, sheet, row, column). Files are read
    units first (in the order of the event catalogue); each is recorded as a submission.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dvcore.importing import import_files
    from dvcore.registry import get_plugin_manager, plugin_input_channels

    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    channels = plugin_input_channels(get_plugin_manager())
    paths = list(files)
    for path in paths:
        _channel_for(path, channel_name, channels)
    total = sum(p.read_bytes().count(b"\n") + 1 for p in paths)
    store = obj.open()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=_console(stderr=True),
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("importing", total=total)

        def progress(done: int, _total: int | None) -> None:
            bar.update(task, completed=min(done, total))

        try:
            result = import_files(
                store,
                paths,
                channels,
                channel_name=channel_name,
                event_type=event_type,
                actor=obj.actor,
                unit=unit,
                period=period_spec,
                dry_run=dry_run,
                progress=progress,
                total=total,
            )
        finally:
            store.close()
    verb = "would append" if dry_run else "appended"
    click.echo(
        f"{verb} {result.appended} events, {len(result.duplicates)} already stored; "
        f"head at position {result.head}"
    )
    if not dry_run and (unit or obj.actor):
        click.echo(
            f"recorded {len(paths)} file(s) sent by {unit or obj.actor}"
            + (f" for {period_spec}" if period_spec else " (no --period)")
        )


@main.command()
@click.option(
    "--channel", "channel_name", required=True, help="csv or xlsx (see `dvcore plugins`)."
)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="A directory (csv: one file per type) or a file (.csv for one type, .xlsx).",
)
@click.option(
    "--type",
    "type_names",
    multiple=True,
    metavar="TYPE",
    help="Only these event types (repeat the option; default: all).",
)
@click.pass_obj
@_guard
def template(obj: _Context, channel_name: str, out: Path, type_names: tuple[str, ...]) -> None:
    """Write blank input tables with Vietnamese labels (drop-down lists in a workbook)."""
    from dvcore.importing import write_template

    for path in write_template(obj.store_url, channel_name, out, type_names):
        click.echo(f"wrote {path}")


@main.command()
@click.option("--unit", required=True, help="The unit whose subordinates report to it.")
@click.option("--period", "period_spec", required=True, help="2023-6M, 2023-Q3, 2023, …")
@click.option("--deadline", help="Files received after this day (Vietnam's time) are late.")
@click.option(
    "--all-children",
    is_flag=True,
    help="Expect every child unit, not only district- and commune-level ones.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.pass_obj
@_guard
def submissions(
    obj: _Context, unit: str, period_spec: str, deadline: str | None, all_children: bool, fmt: str
) -> None:
    """Which subordinate units sent files for a period, on time or late, and which did not."""
    from dvcore.store.submissions import render_report, submission_report

    store = obj.open(create=False)
    try:
        report = submission_report(
            store,
            unit,
            period_spec,
            all_children=all_children,
            deadline=parse_date(deadline) if deadline else None,
        )
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    _console().print(render_report(report))


# --- reading --------------------------------------------------------------------------------


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _vn(value: Any) -> str:
    from dvcore.indicators import format_number

    return "—" if value is None else format_number(value)


@main.command()
@click.option("--unit", required=True, help="Unit code.")
@click.option("--period", "period_spec", required=True, help="2023, 2023-Q3, 2023-9M, …")
@click.option("--as-known-at", help="An ISO instant: the figures as the store knew them then.")
@click.option("--tree", type=click.Choice(["as-of", "current"]), default="as-of", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.pass_obj
@_cutoff_option
@_guard
def snapshot(
    obj: _Context, unit: str, period_spec: str, as_known_at: str | None, tree: str, fmt: str
) -> None:
    """The figures of a unit's subtree for a period."""
    store = obj.open(create=False)
    snap = store.snapshot(unit, period_spec, as_known_at=as_known_at, tree=tree)
    if fmt == "json":
        click.echo(json.dumps(snap.to_dict(), ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(
        title=f"{unit} · {snap.period.spec} ({snap.period.start:%d/%m/%Y}–"
        f"{snap.period.end:%d/%m/%Y})"
    )
    table.add_column("chỉ số")
    table.add_column("giá trị", justify="right")
    table.add_column("chi tiết")
    for code, fig in snap.figures.items():
        detail = "; ".join(
            f"{dim}: " + ", ".join(f"{k} {_vn(v)}" for k, v in sorted(keys.items()))
            for dim, keys in sorted(fig.by.items())
            if keys
        )
        table.add_row(code, _vn(fig.value), detail)
    _console().print(table)


@main.command()
@click.option("--unit", required=True)
@click.option("--as-of", "as_of", required=True, help="The cut-off date (2023-09-15 or 15/9/2023).")
@click.option("--resolution", help="Only this resolution's targets (e.g. 08-NQ/TU).")
@click.option("--as-known-at", help="An ISO instant: as the store knew it then.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option("--check", is_flag=True, help="Exit 1 when a target is not met.")
@click.pass_obj
@_cutoff_option
@_guard
def targets(
    obj: _Context,
    unit: str,
    as_of: str,
    resolution: str | None,
    as_known_at: str | None,
    fmt: str,
    check: bool,
) -> None:
    """Evaluate the targets a unit's resolutions set, as of a cut-off date."""
    day = parse_date(as_of)
    store = obj.open(create=False)
    results = store.targets(unit, day, resolution=resolution, as_known_at=as_known_at)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"unit": unit, "as_of": day.isoformat(), "targets": [r.to_dict() for r in results]},
                ensure_ascii=False,
            )
        )
    else:
        from rich.table import Table

        from dvcore.indicators import format_percent

        table = Table(title=f"{unit} · chỉ tiêu đến ngày {day:%d/%m/%Y}")
        for col in ("mã", "tử số", "mẫu số", "kế hoạch", "đạt % KH", "đạt"):
            table.add_column(col, justify="left" if col == "mã" else "right")
        for r in results:
            completion = r.plan_completion
            table.add_row(
                r.code,
                _vn(r.numerator),
                _vn(r.denominator),
                _vn(r.plan),
                "—" if completion is None else format_percent(r.numerator, r.plan),
                "có" if r.met else "chưa",
            )
        _console().print(table)
    if check and any(not r.met for r in results):
        sys.exit(1)


@main.command()
@click.option("--unit", required=True)
@click.option("--period", "period_spec", required=True)
@click.option("--indicator", required=True)
@click.option("--as-known-at")
@click.option("--tree", type=click.Choice(["as-of", "current"]), default="as-of")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.pass_obj
@_cutoff_option
@_guard
def explain(
    obj: _Context,
    unit: str,
    period_spec: str,
    indicator: str,
    as_known_at: str | None,
    tree: str,
    fmt: str,
) -> None:
    """The events behind one figure: every event it counts, and no other."""
    store = obj.open(create=False)
    exp = store.explain(unit, period_spec, indicator, as_known_at=as_known_at, tree=tree)
    if fmt == "json":
        click.echo(json.dumps(exp.to_dict(), ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{indicator} = {_vn(exp.value)} · {unit} · {exp.period.spec}")
    for col in ("vị trí", "loại", "đơn vị", "ngày", "ghi nhận", "nguồn"):
        table.add_column(col)
    for e in exp.events:
        table.add_row(
            str(e.position),
            e.type,
            e.unit,
            f"{e.occurred_on:%d/%m/%Y}",
            e.recorded_at.isoformat(timespec="seconds"),
            e.source_ref or "",
        )
    _console().print(table)


@main.command()
@click.option(
    "--exporter",
    "exporter_name",
    required=True,
    help="docx, xlsx, html, markdown, json, … (see `dvcore plugins`).",
)
@click.option("--unit", required=True, help="Unit code.")
@click.option("--period", "period_spec", required=True, help="2023-9M, 2023, 2020-2025, …")
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The file to write (or a directory: a name is chosen).",
)
@click.option(
    "--report",
    type=click.Choice(["periodic", "term-commune", "follow-up"]),
    default="periodic",
    show_default=True,
)
@click.option("--as-of", "as_of", help="The targets' cut-off date (default: the period's end).")
@click.option("--as-known-at", help="An ISO instant: the figures as the store knew them then.")
@click.option(
    "--template", type=click.Path(path_type=Path), help="Your own docxtpl template (docx exporter)."
)
@click.option(
    "--sections",
    type=click.Path(path_type=Path),
    help="Your text under each heading, and the document's number, signer… "
    "(Markdown; see docs/reports.md).",
)
@click.option("--profile", help="Format profile (default: by the document's date).")
@click.pass_obj
@_cutoff_option
@_guard
def export(
    obj: _Context,
    exporter_name: str,
    unit: str,
    period_spec: str,
    out: Path,
    report: str,
    as_of: str | None,
    as_known_at: str | None,
    template: Path | None,
    sections: Path | None,
    profile: str | None,
) -> None:
    """Write a unit's report for a period with one exporter (nothing written on bad input)."""
    import os

    from dvcore._builtin.report import build_context
    from dvcore.registry import get_plugin_manager, plugin_exporters

    exporters = plugin_exporters(get_plugin_manager())
    if exporter_name not in exporters:
        raise InputError(
            f"unknown exporter '{exporter_name}'; installed: {', '.join(sorted(exporters))}"
        )
    exporter = exporters[exporter_name]
    for what, path in (("template", template), ("sections file", sections)):
        if path is not None and not path.is_file():
            raise InputError(f"no such {what}: {path}")
    if template is not None and not getattr(exporter, "accepts_template", False):
        raise InputError(f"exporter '{exporter_name}' takes no --template")
    target = out / f"bao-cao-{unit}-{period_spec}{exporter.suffix}" if out.is_dir() else out
    if not target.parent.is_dir():
        raise InputError(f"no such directory: {target.parent}")
    store = obj.open(create=False)
    try:
        context = build_context(
            store,
            unit=unit,
            period=period_spec,
            as_of=parse_date(as_of) if as_of else None,
            as_known_at=as_known_at,
            report=report,
            sections=sections,
            profile=profile,
            include_events=bool(getattr(exporter, "needs_events", False)),
        )
        context["template"] = template
        partial = target.with_name(f".{target.name}.partial{target.suffix}")
        try:
            exporter.export(context, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        store.close()
    click.echo(f"wrote {target} ({exporter_name}, {report}, {unit} · {period_spec})")


@main.command()
@click.pass_obj
@_guard
def verify(obj: _Context) -> None:
    """Check the hash chain; exit 1 and name the first bad event."""
    store = obj.open(create=False)
    report = store.verify()
    if not report.ok:
        _fail(f"verification failed at position {report.first_bad}: {report.reason}", 1)
    click.echo(f"ok: {report.checked} events verify; head hash {report.head_hash}")
    if report.checkpoints_verified or report.checkpoints_unchecked:
        click.echo(
            f"signed checkpoints: {report.checkpoints_verified} verified, "
            f"{report.checkpoints_unchecked} not checked (no key, or another key)"
        )


@main.command()
@_guard
def plugins() -> None:
    """List channels, exporters, event types and indicators, with who provides each."""
    from rich.table import Table

    from dvcore.registry import get_plugin_manager, provided_by

    pm = get_plugin_manager()
    table = Table(title="dvcore plugins")
    for col in ("kind", "name", "provided by"):
        table.add_column(col)
    for kind, hook, attr in (
        ("channel", "dvcore_register_input_channels", "name"),
        ("exporter", "dvcore_register_exporters", "name"),
        ("event type", "dvcore_register_event_types", "type_name"),
        ("indicator", "dvcore_register_indicators", "code"),
        ("command", "dvcore_register_commands", "name"),
    ):
        for provider, item in provided_by(pm, hook):
            table.add_row(kind, str(getattr(item, attr)), provider)
    _console().print(table)


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dvcore-demo"),
    show_default=True,
)
@click.pass_obj
@_guard
def demo(obj: _Context, out_dir: Path) -> None:
    """Record the demo data set (seed 001's published figures) and write its reports."""
    from dvcore._builtin.demo_run import run_demo

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = run_demo(obj.store_url, out_dir, cutoff=obj.cutoff)
    for line in summary:
        click.echo(line)


def _register_plugin_commands() -> None:
    try:
        from dvcore.registry import get_plugin_manager, plugin_commands

        for command in plugin_commands(get_plugin_manager()):
            if command.name not in main.commands:
                main.add_command(command)
    except DvcoreError as exc:  # a broken plugin must not take the whole command line down
        click.echo(f"warning: {exc}", err=True)


_register_plugin_commands()

if __name__ == "__main__":  # pragma: no cover
    main()


_ = dt
