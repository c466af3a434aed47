"""The ``dvcore`` command line: the only module that prints.

Exit codes: 0 success; 1 a verification or target check the user asked for failed (or the
store itself failed); 2 bad input — with a message that names the file, row and field, no
traceback, and nothing written.

Every text it prints is in the clerk's language (``--lang``, else ``$DVCORE_LANG``, else
Vietnamese; see :mod:`dvcore.i18n`). Help texts are English message ids stored by click when
the module is imported, and translated when help is shown (:class:`_Command`).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from dvcore.errors import (
    DvcoreError,
    InputError,
    Problem,
    ValidationError,
    problems_message,
)
from dvcore.i18n import LANGUAGES, N_, _, gettext, language, ngettext, set_language
from dvcore.periods import CUTOFFS, parse_date

__all__ = ["main"]

#: click's own texts a clerk reads (usage, headings, its errors): in dvcore's catalogs, so
#: that :func:`_speak_click` can hand them to click (its plural messages stay English).
_CLICK_TEXTS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing option"),
    N_("Missing argument"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("default: {default}"),
    N_("Aborted!"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
)


def _speak_click() -> None:
    """Let click look its own texts up in dvcore's catalogs (in the chosen language).

    click translates through ``gettext``/``ngettext`` names imported into its modules;
    pointing them at :mod:`dvcore.i18n` changes nothing else (a text the catalogs do not
    hold stays as click wrote it).
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if callable(getattr(module, "_", None)):
            setattr(module, "_", gettext)  # noqa: B010 (mypy: ModuleType has no `_`)
        if callable(getattr(module, "ngettext", None)):
            setattr(module, "ngettext", ngettext)  # noqa: B010 (same)


_speak_click()


@contextlib.contextmanager
def _help_in_language(command: click.Command) -> Iterator[None]:
    """Translate a command's help and its options' for the time it is shown.

    click stores ``help=`` when the module is imported, before ``--lang`` is read: the
    stored texts are English message ids, swapped for their translation here.
    """
    holders: list[Any] = [command, *command.params]
    saved = [(h, h.help) for h in holders if isinstance(getattr(h, "help", None), str)]
    try:
        for holder, text in saved:
            holder.help = gettext(text)
        yield
    finally:
        for holder, text in saved:
            holder.help = text


class _Command(click.Command):
    """A command whose help is shown in the chosen language."""

    def get_help(self, ctx: click.Context) -> str:
        with _help_in_language(self):
            return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _help_in_language(self):
            return super().get_short_help_str(limit)


def _lang_in(args: Sequence[str]) -> str | None:
    """The value of ``--lang`` among the top-level arguments, if any (and valid)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            return value if value in LANGUAGES else None
    return None


class _Group(_Command, click.Group):
    """The top-level group: reads ``--lang`` before anything (help among it) prints."""

    command_class = _Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            # Every run chooses again: None is $DVCORE_LANG, else Vietnamese.
            set_language(_lang_in(args))
        return super().parse_args(ctx, args)


class _Context:
    def __init__(self, store_url: str | None, actor: str | None, cutoff: str) -> None:
        self.store_url = store_url
        self.actor = actor
        self.cutoff = cutoff

    def open(self, *, create: bool = True, clock: Any = None) -> Any:
        import os

        from dvcore._open import open_store

        # How long a SQLite writer waits for another writer's lock before "the store is busy".
        busy = os.environ.get("DVCORE_BUSY_TIMEOUT", "30")
        try:
            busy_timeout = float(busy)
        except ValueError:
            raise InputError(
                _("DVCORE_BUSY_TIMEOUT must be a number of seconds, not '{busy}'", busy=busy)
            ) from None
        return open_store(
            self.store_url,
            create=create,
            cutoff=self.cutoff,  # type: ignore[arg-type]
            clock=clock,
            busy_timeout=busy_timeout,
        )


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(_("Error: {message}", message=message), err=True)
    sys.exit(code)


def _field_name(problem: Problem) -> str | None:
    """The field a problem names, as the clerk knows it: in Vietnamese, the column's label
    in the template (``Số người tham dự`` for ``data.participants``)."""
    field = problem.field
    if not field or language() != "vi":
        return field
    from dvcore._builtin.labels import (
        ENVELOPE_LABELS,
        FIELD_LABELS,
        WINDOW_LABELS,
        field_label,
    )

    if field in ENVELOPE_LABELS:
        return ENVELOPE_LABELS[field]
    if field in WINDOW_LABELS:
        return WINDOW_LABELS[field]
    name = field.removeprefix("data.")
    key = name.split(".", 1)[0].split("[", 1)[0]
    rest = name[len(key) :]
    type_name = problem.event_type or problem.sheet
    event_type = _event_types().get(type_name) if type_name else None
    if event_type is not None:
        label = field_label(event_type, key)
    elif name != field:  # a data field of an unknown type: a label when all types agree
        labels = {m[key] for m in FIELD_LABELS.values() if key in m}
        label = labels.pop() if len(labels) == 1 else key
    else:
        return field  # a column header as the clerk wrote it, or an envelope key
    if label == key:
        return field
    return label + rest


def _event_types() -> Any:
    from dvcore.registry import get_plugin_manager, plugin_event_types
    from dvcore.serialization import EventTypes

    try:
        return plugin_event_types(get_plugin_manager())
    except DvcoreError:  # a broken plugin: the core's labels still help
        return EventTypes.core()


def _problem_line(problem: Problem) -> str:
    return problem.render(_field_name(problem))


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn dvcore's errors into messages and exit codes, never tracebacks."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:  # every problem, its field named by its label
            _fail(problems_message(exc.problems, _problem_line) if exc.problems else exc.message)
        except InputError as exc:  # bad input
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
        help=N_("How named periods are cut (overrides the global --cutoff)."),
    )
    @functools.wraps(func)
    def wrapper(*args: Any, command_cutoff: str | None = None, **kwargs: Any) -> Any:
        if command_cutoff is not None:
            click.get_current_context().find_object(_Context).cutoff = command_cutoff  # type: ignore[union-attr]
        return func(*args, **kwargs)

    return wrapper


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("dvcore: reports of the mass-mobilization committees, rebuilt from events."),
)
@click.option(
    "--store",
    "store_url",
    envvar="DVCORE_STORE",
    metavar="URL",
    help=N_("sqlite:///FILE (default sqlite:///dvcore.db) or postgresql+psycopg://…"),
)
@click.option("--actor", metavar="UNIT", help=N_("The unit recording (kept on every event)."))
@click.option(
    "--cutoff",
    type=click.Choice(CUTOFFS),
    default="calendar",
    show_default=True,
    help=N_("How named periods are cut: calendar, or Decree 09's 15th-to-14th."),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help=N_("The language of messages: vi or en (default: $DVCORE_LANG, else vi)."),
)
@click.version_option(package_name="dvcore")
@click.pass_context
def main(
    ctx: click.Context, store_url: str | None, actor: str | None, cutoff: str, lang: str | None
) -> None:
    """The ``dvcore`` command line (its help is the ``help=`` above, translated when shown)."""
    set_language(lang)  # _Group.parse_args chose it already, before any help printed
    ctx.obj = _Context(store_url, actor, cutoff)


@main.command(help=N_("Create the store (or upgrade its schema)."))
@click.pass_obj
@_guard
def init(obj: _Context) -> None:
    store = obj.open()
    click.echo(
        _(
            "store ready: {url} ({count} events)",
            url=store.engine.url.render_as_string(hide_password=True),
            count=store.head(),
        )
    )


# --- import ---------------------------------------------------------------------------------


@main.command(
    "import",
    help=N_(
        "Import FILES in one transaction: all of them, or nothing.\n\n"
        "Every problem of every file is reported (file, sheet, row, column). With --unit and "
        "--period (or the workbook's cover sheet) the files are that unit's submission for "
        "the period: sending it again replaces the earlier version (rows removed are "
        "retracted, changed rows corrected, new rows added) and the difference is printed."
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--channel", "channel_name", help=N_("The input channel (default: by file suffix)."))
@click.option("--dry-run", is_flag=True, help=N_("Validate everything, write nothing."))
@click.option(
    "--type",
    "event_type",
    metavar="TYPE",
    help=N_("The event type of CSV files whose name does not say it."),
)
@click.option(
    "--unit", metavar="CODE", help=N_("The unit submitting the files (default: --actor).")
)
@click.option(
    "--period",
    "period_spec",
    metavar="SPEC",
    help=N_(
        "The period the submission covers: 2023-Q3, 2023-9M, 2023 … (default: the cover sheet)."
    ),
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
    """Import FILES in one transaction: all of them, or nothing (a submission when a unit
    and a period are declared)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dvcore.importing import import_files
    from dvcore.registry import get_plugin_manager, plugin_input_channels

    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise InputError(_("no such file: {files}", files=", ".join(missing)))
    channels = plugin_input_channels(get_plugin_manager())
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
        task = bar.add_task(_("importing rows"), total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = import_files(
                store,
                list(files),
                channels,
                channel_name=channel_name,
                event_type=event_type,
                actor=obj.actor,
                unit=unit,
                period=period_spec,
                dry_run=dry_run,
                progress=progress,
            )
        finally:
            store.close()
    diff = result.submission
    if diff is None:
        click.echo(
            _(
                "would append {appended} events, {stored} already stored; head at position {head}",
                appended=result.appended,
                stored=len(result.duplicates) + len(result.stored),
                head=result.head,
            )
            if dry_run
            else _(
                "appended {appended} events, {stored} already stored; head at position {head}",
                appended=result.appended,
                stored=len(result.duplicates) + len(result.stored),
                head=result.head,
            )
        )
        return
    counts = {
        "unchanged": len(diff.unchanged) + len(diff.stored),
        "corrected": len(diff.corrected),
        "retracted": len(diff.retracted),
        "added": len(diff.added),
    }
    what = _(
        "{unchanged} unchanged, {corrected} corrected, {retracted} retracted, {added} added",
        **counts,
    )
    if not diff.changed and diff.previous is not None and diff.version == diff.previous:
        click.echo(
            _(
                "{unit}'s submission for {period} is unchanged (version {version}): "
                "nothing recorded; {what}",
                unit=diff.unit,
                period=diff.period,
                version=diff.version,
                what=what,
            )
        )
    elif dry_run:
        click.echo(
            _(
                "dry run: version {version} of {unit}'s submission for {period} would record "
                "{what}; nothing was written",
                unit=diff.unit,
                period=diff.period,
                version=diff.version,
                what=what,
            )
        )
    else:
        click.echo(
            _(
                "recorded version {version} of {unit}'s submission for {period}: {what}",
                unit=diff.unit,
                period=diff.period,
                version=diff.version,
                what=what,
            )
        )
    if not dry_run:
        click.echo(
            _(
                "appended {appended} events; head at position {head}",
                appended=result.appended,
                head=result.head,
            )
        )
    for d in result.disagreements:
        click.echo(_disagreement_line(d))


def _disagreement_line(d: Any) -> str:
    """One disagreement between reports over windows, as the clerk reads it."""
    from dvcore.indicators import decode_dims, format_number, from_micro

    def spans(windows: Any) -> str:
        return ", ".join(f"{a:%d/%m/%Y}–{b:%d/%m/%Y}" for a, b in windows)

    return _(
        "note: {indicator} of {unit}: {stood_windows} gives {stood} and stands; "
        "{dropped_windows} gives {dropped} and is not counted",
        indicator=d.indicator
        + (
            " (" + ", ".join(f"{k}={v}" for k, v in decode_dims(d.dims).items()) + ")"
            if d.dims
            else ""
        ),
        unit=d.unit,
        stood_windows=spans(d.stood),
        stood=format_number(from_micro(d.stood_value)),
        dropped_windows=spans(d.dropped),
        dropped=format_number(from_micro(d.dropped_value)),
    )


@main.command(
    help=N_("Write blank input tables with Vietnamese labels (drop-down lists in a workbook).")
)
@click.option(
    "--channel", "channel_name", required=True, help=N_("csv or xlsx (see `dvcore plugins`).")
)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help=N_("A directory (csv: one file per type) or a file (.csv for one type, .xlsx)."),
)
@click.option(
    "--type",
    "type_names",
    multiple=True,
    metavar="TYPE",
    help=N_("Only these event types (repeat the option; default: all)."),
)
@click.pass_obj
@_guard
def template(obj: _Context, channel_name: str, out: Path, type_names: tuple[str, ...]) -> None:
    from dvcore.importing import write_template

    for path in write_template(obj.store_url, channel_name, out, type_names):
        click.echo(_("wrote {path}", path=path))


@main.command(
    help=N_("Which subordinate units sent files for a period, on time or late, and which did not.")
)
@click.option("--unit", required=True, help=N_("The unit whose subordinates report to it."))
@click.option("--period", "period_spec", required=True, help=N_("2023-6M, 2023-Q3, 2023, …"))
@click.option("--deadline", help=N_("Files received after this day (Vietnam's time) are late."))
@click.option(
    "--all-children",
    is_flag=True,
    help=N_("Expect every child unit, not only district- and commune-level ones."),
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


@main.command(
    help=N_(
        "Accept or return a subordinate unit's submission for a period (run with --actor, a "
        "unit above it). A re-send after a return is 'received' again."
    )
)
@click.option("--unit", required=True, metavar="CODE", help=N_("The unit whose submission it is."))
@click.option("--period", "period_spec", required=True, help=N_("2023-Q3, 2023-9M, 2023, …"))
@click.option("--accept", "decision", flag_value="accept", help=N_("Accept the submission."))
@click.option(
    "--return",
    "decision",
    flag_value="return",
    help=N_("Return the submission to the unit (give --reason)."),
)
@click.option("--reason", help=N_("Why the submission is returned."))
@click.pass_obj
@_guard
def review(
    obj: _Context, unit: str, period_spec: str, decision: str | None, reason: str | None
) -> None:
    from dvcore.store.submissions import review_submission

    if decision is None:
        raise InputError(_("say --accept or --return"))
    store = obj.open(create=False)
    try:
        version = review_submission(
            store,
            unit,
            period_spec,
            actor=obj.actor,
            accept=decision == "accept",
            reason=reason,
        )
        spec = store.period(period_spec).spec
    finally:
        store.close()
    click.echo(
        _(
            "accepted version {version} of {unit}'s submission for {period}",
            version=version,
            unit=unit,
            period=spec,
        )
        if decision == "accept"
        else _(
            "returned version {version} of {unit}'s submission for {period}: {reason}",
            version=version,
            unit=unit,
            period=spec,
            reason=reason,
        )
    )


# --- reading --------------------------------------------------------------------------------


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


_ACCEPTED_ONLY_HELP = N_(
    "Count only the rows of accepted submissions (and rows sent outside any submission); "
    "slower: it replays the whole log."
)


def _vn(value: Any) -> str:
    from dvcore.indicators import format_number

    return "—" if value is None else format_number(value)


@main.command(help=N_("The figures of a unit's subtree for a period."))
@click.option("--unit", required=True, help=N_("Unit code."))
@click.option("--period", "period_spec", required=True, help=N_("2023, 2023-Q3, 2023-9M, …"))
@click.option("--as-known-at", help=N_("An ISO instant: the figures as the store knew them then."))
@click.option(
    "--tree",
    type=click.Choice(["as-of", "current"]),
    default="as-of",
    show_default=True,
    help=N_("The unit tree as of the period (as-of) or as it is now (current)."),
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option("--accepted-only", is_flag=True, help=_ACCEPTED_ONLY_HELP)
@click.pass_obj
@_cutoff_option
@_guard
def snapshot(
    obj: _Context,
    unit: str,
    period_spec: str,
    as_known_at: str | None,
    tree: str,
    fmt: str,
    accepted_only: bool,
) -> None:
    store = obj.open(create=False)
    snap = store.snapshot(
        unit, period_spec, as_known_at=as_known_at, tree=tree, accepted_only=accepted_only
    )
    if fmt == "json":
        data = snap.to_dict()
        if accepted_only:  # the key only when asked: the JSON contract stays as it was
            data = {k: v for k, v in data.items() if k != "indicators"}
            data["accepted_only"] = True
            data["indicators"] = snap.to_dict()["indicators"]
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(
        title=f"{unit} · {snap.period.spec} ({snap.period.start:%d/%m/%Y}–"
        f"{snap.period.end:%d/%m/%Y})"
    )
    table.add_column(_("indicator"))
    table.add_column(_("value"), justify="right")
    table.add_column(_("details"))
    for code, fig in snap.figures.items():
        detail = "; ".join(
            f"{dim}: " + ", ".join(f"{k} {_vn(v)}" for k, v in sorted(keys.items()))
            for dim, keys in sorted(fig.by.items())
            if keys
        )
        table.add_row(code, _vn(fig.value), detail)
    _console().print(table)


@main.command(help=N_("Evaluate the targets a unit's resolutions set, as of a cut-off date."))
@click.option("--unit", required=True, help=N_("Unit code."))
@click.option(
    "--as-of", "as_of", required=True, help=N_("The cut-off date (2023-09-15 or 15/9/2023).")
)
@click.option("--resolution", help=N_("Only this resolution's targets (e.g. 08-NQ/TU)."))
@click.option("--as-known-at", help=N_("An ISO instant: as the store knew it then."))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option("--check", is_flag=True, help=N_("Exit 1 when a target is not met."))
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

        table = Table(title=_("{unit} · targets as of {day}", unit=unit, day=f"{day:%d/%m/%Y}"))
        table.add_column(_("code"), justify="left")
        for col in (_("numerator"), _("denominator"), _("plan"), _("plan completion"), _("met")):
            table.add_column(col, justify="right")
        for r in results:
            completion = r.plan_completion
            table.add_row(
                r.code,
                _vn(r.numerator),
                _vn(r.denominator),
                _vn(r.plan),
                "—" if completion is None else format_percent(r.numerator, r.plan),
                _("yes") if r.met else _("not yet"),
            )
        _console().print(table)
    if check and any(not r.met for r in results):
        sys.exit(1)


@main.command(help=N_("The events behind one figure: every event it counts, and no other."))
@click.option("--unit", required=True, help=N_("Unit code."))
@click.option("--period", "period_spec", required=True, help=N_("2023, 2023-Q3, 2023-9M, …"))
@click.option("--indicator", required=True, help=N_("The indicator's code (dialogue.count, …)."))
@click.option("--as-known-at", help=N_("An ISO instant: as the store knew it then."))
@click.option(
    "--tree",
    type=click.Choice(["as-of", "current"]),
    default="as-of",
    help=N_("The unit tree as of the period (as-of) or as it is now (current)."),
)
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
    store = obj.open(create=False)
    exp = store.explain(unit, period_spec, indicator, as_known_at=as_known_at, tree=tree)
    if fmt == "json":
        click.echo(json.dumps(exp.to_dict(), ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{indicator} = {_vn(exp.value)} · {unit} · {exp.period.spec}")
    for col in (_("position"), _("type"), _("unit"), _("date"), _("recorded"), _("source")):
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


@main.command(
    help=N_("Write a unit's report for a period with one exporter (nothing written on bad input).")
)
@click.option(
    "--exporter",
    "exporter_name",
    required=True,
    help=N_("docx, xlsx, html, markdown, json, … (see `dvcore plugins`)."),
)
@click.option("--unit", required=True, help=N_("Unit code."))
@click.option("--period", "period_spec", required=True, help=N_("2023-9M, 2023, 2020-2025, …"))
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help=N_("The file to write (or a directory: a name is chosen)."),
)
@click.option(
    "--report",
    type=click.Choice(["periodic", "term-commune", "follow-up"]),
    default="periodic",
    show_default=True,
    help=N_("The report: periodic, term-commune or follow-up."),
)
@click.option("--as-of", "as_of", help=N_("The targets' cut-off date (default: the period's end)."))
@click.option("--as-known-at", help=N_("An ISO instant: the figures as the store knew them then."))
@click.option(
    "--template",
    type=click.Path(path_type=Path),
    help=N_("Your own docxtpl template (docx exporter)."),
)
@click.option(
    "--sections",
    type=click.Path(path_type=Path),
    help=N_(
        "Your text under each heading, and the document's number, signer… "
        "(Markdown; see docs/reports.md)."
    ),
)
@click.option(
    "--signer",
    help=N_(
        "The signer's full name under the signature (default: 'signer' in the sections "
        "file, else a highlighted blank to fill)."
    ),
)
@click.option("--profile", help=N_("Format profile (default: by the document's date)."))
@click.option("--accepted-only", is_flag=True, help=_ACCEPTED_ONLY_HELP)
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
    signer: str | None,
    profile: str | None,
    accepted_only: bool,
) -> None:
    import os

    from dvcore.registry import get_plugin_manager, plugin_exporters
    from dvcore.reports import build_context, read_sections

    exporters = plugin_exporters(get_plugin_manager())
    if exporter_name not in exporters:
        raise InputError(
            _(
                "unknown exporter '{name}'; installed: {installed}",
                name=exporter_name,
                installed=", ".join(sorted(exporters)),
            )
        )
    exporter = exporters[exporter_name]
    for missing, path in (
        (N_("no such template: {path}"), template),
        (N_("no such sections file: {path}"), sections),
    ):
        if path is not None and not path.is_file():
            raise InputError(_(missing, path=path))
    if template is not None and not getattr(exporter, "accepts_template", False):
        raise InputError(_("exporter '{name}' takes no --template", name=exporter_name))
    target = out / f"bao-cao-{unit}-{period_spec}{exporter.suffix}" if out.is_dir() else out
    if not target.parent.is_dir():
        raise InputError(_("no such directory: {path}", path=target.parent))
    written = read_sections(sections) if sections is not None else None
    cut = parse_date(as_of) if as_of else None
    store = obj.open(create=False)
    try:
        # The document's date: the sections file's `date:`, else the day the figures are
        # known at (--as-known-at), else the cut-off (--as-of), else the period's last day;
        # never the day the command happens to run.
        dated = None
        if as_known_at is None and not (written is not None and written.meta.get("date")):
            dated = cut or store.period(period_spec).end
        context = build_context(
            store,
            unit=unit,
            period=period_spec,
            as_of=cut,
            as_known_at=as_known_at,
            report=report,
            sections=written,
            date=dated,
            signer=signer or None,
            profile=profile,
            include_events=bool(getattr(exporter, "needs_events", False)),
            accepted_only=accepted_only,
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
    click.echo(
        _(
            "wrote {path} ({exporter}, {report}, {unit} · {period})",
            path=target,
            exporter=exporter_name,
            report=report,
            unit=unit,
            period=period_spec,
        )
    )


@main.command(help=N_("Check the hash chain; exit 1 and name the first bad event."))
@click.pass_obj
@_guard
def verify(obj: _Context) -> None:
    store = obj.open(create=False)
    report = store.verify()
    if not report.ok:
        _fail(
            _(
                "verification failed at position {position}: {reason}",
                position=report.first_bad,
                reason=report.reason,
            ),
            1,
        )
    click.echo(
        _(
            "ok: {count} events verify; head hash {hash}",
            count=report.checked,
            hash=report.head_hash,
        )
    )
    if report.checkpoints_verified or report.checkpoints_unchecked:
        click.echo(
            _(
                "signed checkpoints: {verified} verified, {unchecked} not checked "
                "(no key, or another key)",
                verified=report.checkpoints_verified,
                unchecked=report.checkpoints_unchecked,
            )
        )


@main.command(
    help=N_("List channels, exporters, event types and indicators, with who provides each.")
)
@_guard
def plugins() -> None:
    from rich.table import Table

    from dvcore.registry import get_plugin_manager, provided_by

    pm = get_plugin_manager()
    table = Table(title=_("dvcore plugins"))
    for col in (_("kind"), _("name"), _("provided by")):
        table.add_column(col)
    for kind, hook, attr in (
        (N_("channel"), "dvcore_register_input_channels", "name"),
        (N_("exporter"), "dvcore_register_exporters", "name"),
        (N_("event type"), "dvcore_register_event_types", "type_name"),
        (N_("indicator"), "dvcore_register_indicators", "code"),
        (N_("command"), "dvcore_register_commands", "name"),
    ):
        for provider, item in provided_by(pm, hook):
            table.add_row(_(kind), str(getattr(item, attr)), provider)
    _console().print(table)


@main.command(
    help=N_("Record the demo data set (seed 001's published figures) and write its reports.")
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dvcore-demo"),
    show_default=True,
    help=N_("The directory the reports are written to."),
)
@click.pass_obj
@_guard
def demo(obj: _Context, out_dir: Path) -> None:
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
        click.echo(_("warning: {message}", message=exc), err=True)


_register_plugin_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
