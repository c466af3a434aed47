"""The reference parts of the docs, written from the code itself into the Markdown files.

The generated text lives in the pages, between two markers, so it reads on GitHub as well
as in the built site::

    <!-- generated: events -->
    …
    <!-- end generated -->

``events`` (docs/events.md)
    one section per class of :data:`dvcore.events.CORE_EVENT_TYPES` (and the value types
    they use): wire name, schema version, docstring, and a table of fields with their JSON
    type, whether they are required, their default, and the rule each field's validator
    enforces; class-wide rules are read from ``__attrs_post_init__``.

``cli`` (docs/cli.md)
    the ``--help`` text of ``dvcore`` and of each of its commands, as click renders it.

``api`` (docs/api.md)
    the public modules with their one-line summaries, and each module's public names
    (``__all__``) with the first line of their docstrings. The full reference below it
    stays autodoc's: signatures and whole docstrings are not worth freezing into Markdown.

``python docs/_ext/dvcore_docs.py --write`` (``nox -s gendocs``) rewrites the blocks;
``--check`` exits 1 naming the stale pages. As a Sphinx extension it checks too: a stale
block is a warning, so ``nox -s docs`` (``-W``) fails. A validator this module does not
know fails the generation: the catalogue never guesses.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import importlib
import inspect
import os
import re
import sys
import textwrap
import typing
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from sphinx.application import Sphinx

DOCS = Path(__file__).resolve().parents[1]
END = "<!-- end generated -->"

# What each of dvcore.events' validators enforces, by function name.
_VALIDATOR_RULES = {
    "_text": "a non-empty text",
    "_opt_text": "a text, or null",
    "_count": "a whole number, not negative",
    "_bool": "`true` or `false`",
    "_decimal_value": "a finite number: at most 6 decimal places, less than 10¹² in size",
    "_threshold": "a fraction from 0 to 1",
    "_unit_code": "a unit code of 1 to 64 characters",
    "_source_ref": "a text of 1 to 512 characters, or null",
    "_owner": "a unit code, or a unit code and a body: `HP.TN:people_committee` (bodies: "
    "`party_committee`, `standing_committee`, `people_council`, `people_committee`, "
    "`mass_mobilization`, `fatherland_front`, `front_and_unions`)",
    "_owners": "each a unit code, or a unit code and a body (as `owner`)",
    "_recurrence": "`monthly:N` (N from 1 to 28), `quarterly` or `yearly`, or null",
    "_section": "a section id of the outline: a Roman numeral with up to two numbers "
    "(`I`, `II.1`, `V.2`, `VI`) or a part (`P1`, `P2`)",
}
# Validators that check only the field's type: the rule is the type's (as with none).
_TYPE_ONLY = frozenset({"_date", "_window", "_uuid", "_mapping", "_tuple"})


def _names(hint: Any) -> list[Any]:
    """The members of a union other than ``None`` (empty for anything else)."""
    return [a for a in typing.get_args(hint) if a is not type(None)]


def _json_type(hint: Any) -> str:
    """How a field's Python type looks in the JSON Lines shape."""
    from dvcore.events import EventData, Window

    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        text = " or ".join(_json_type(a) for a in inner)
        return f"{text} or null" if type(None) in args else text
    if origin is typing.Literal:
        return "text (enumerated)"
    if origin is tuple:
        item = _json_type(args[0])
        if item in ("text", "text (enumerated)"):
            return "list of texts"
        return f"list of {item}s"
    if origin is Mapping:
        if args and args[1] is str:
            return "object of texts"
        if args and args[1] is Any:
            return "object"
        return "object of scalars (text, number, boolean, null)"
    if hint is str:
        return "text"
    if hint is int:
        return "whole number"
    if hint is bool:
        return "boolean"
    if hint is Decimal:
        return "number"
    if hint is dt.date:
        return "date `YYYY-MM-DD`"
    if hint is uuid.UUID:
        return "event id (UUID text)"
    if hint is Window:
        return '`[from, to]`: two dates (or `{"from": …, "to": …}`)'
    if isinstance(hint, type) and attrs.has(hint) and not issubclass(hint, EventData):
        return f"[{hint.__name__}](#{hint.__name__.lower()}) object"
    raise TypeError(f"dvcore_docs: no JSON description for the type {hint!r}")


def _rule(field: attrs.Attribute[Any], hint: Any) -> str:
    """The rule a field's validator (or its type) enforces, in words."""
    from dvcore.events import Window

    rules: list[str] = []
    literal = [a for a in (hint, *_names(hint)) if typing.get_origin(a) is typing.Literal]
    validator = field.validator
    if getattr(validator, "__name__", "") in _TYPE_ONLY:
        validator = None
    if validator is not None:
        name = getattr(validator, "__name__", "")
        qualname = getattr(validator, "__qualname__", "")
        if name in _VALIDATOR_RULES:
            rules.append(_VALIDATOR_RULES[name])
        elif (hasattr(validator, "options") or qualname.startswith("_one_of.")) and literal:
            values = ", ".join(f"`{v}`" for v in typing.get_args(literal[0]))
            rules.append(f"one of {values}")
        else:
            raise TypeError(
                f"dvcore_docs: unknown validator {validator!r} on '{field.name}': "
                "describe it in docs/_ext/dvcore_docs.py"
            )
    elif hint is Window or Window in _names(hint):
        rules.append("`to` is not before `from`")
    elif typing.get_origin(hint) is tuple:
        items = typing.get_args(hint)[0]
        if typing.get_origin(items) is typing.Literal:
            values = ", ".join(f"`{v}`" for v in typing.get_args(items))
            rules.append(f"each one of {values}")
    elif hint is uuid.UUID or hint is dt.date:
        pass
    elif _names(hint) == [bool]:
        rules.append("`true`, `false` or null")
    return "; ".join(rules)


def _checks(cls: type) -> list[str]:
    """The messages of the errors ``cls.__attrs_post_init__`` raises: its class-wide rules."""
    method = cls.__dict__.get("__attrs_post_init__")
    if method is None:
        return []
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    out: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        if not node.exc.args:
            continue
        # _Refusal(field, message): the message is the second argument; _("…") is unwrapped
        arg = node.exc.args[1] if len(node.exc.args) > 1 else node.exc.args[0]
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "_":
            arg = arg.args[0] if arg.args else arg
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            out.append(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            out.append(
                "".join(str(v.value) if isinstance(v, ast.Constant) else "…" for v in arg.values)
            )
    return out


def _default(field: attrs.Attribute[Any]) -> str:
    if field.default is attrs.NOTHING:
        return "required"
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        empty = field.default.factory()  # type: ignore[union-attr]
        return f"default `{'[]' if isinstance(empty, tuple) else '{}'}`"
    value = field.default
    if value is None:
        return "default `null`"
    if isinstance(value, bool):
        return f"default `{str(value).lower()}`"
    return f"default `{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fields_table(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    lines = ["| field | JSON | required or default | rule |", "|---|---|---|---|"]
    for field in attrs.fields(cls):
        hint = hints[field.name]
        lines.append(
            f"| `{field.name}` | {_cell(_json_type(hint))} | {_default(field)} "
            f"| {_cell(_rule(field, hint))} |"
        )
    return lines


def _doc(cls: type) -> str:
    return (
        inspect.cleandoc(cls.__doc__ or "")
        .replace(":class:", "{py:class}")
        .replace(":func:", "{py:func}")
    )


def event_catalogue() -> str:
    """The event catalogue in MyST Markdown, generated from :mod:`dvcore.events`."""
    from dvcore import events
    from dvcore.serialization import _UPCASTERS

    out: list[str] = []
    for cls in events.CORE_EVENT_TYPES:
        out += [f"### {cls.type_name}", ""]
        out += [
            f"Class {{py:class}}`dvcore.events.{cls.__name__}` · schema version "
            f"{cls.schema_version}",
            "",
            _doc(cls),
            "",
        ]
        out += _fields_table(cls)
        checks = _checks(cls)
        if checks:
            out += ["", "Also refused:", ""]
            out += [f"- {_cell(c)}" for c in checks]
        ups = sorted(v for (name, v) in _UPCASTERS if name == cls.type_name)
        if ups:
            steps = [
                f"{{py:func}}`~dvcore.serialization.{_UPCASTERS[(cls.type_name, v)].__name__}` "
                f"(v{v} → v{v + 1})"
                for v in ups
            ]
            out += ["", "Read from older versions by " + ", ".join(steps) + "."]
        out.append("")
    out += ["## Value types", "", "Types that event fields hold.", ""]
    value_types: tuple[type, ...] = (
        events.Window,
        events.TargetDefinition,
        events.PopulationFilter,
        events.SubmittedFile,
        events.SubmissionRows,
    )
    for cls in value_types:
        out += [
            f"### {cls.__name__}",
            "",
            f"Class {{py:class}}`dvcore.events.{cls.__name__}`",
            "",
            _doc(cls),
            "",
        ]
        out += _fields_table(cls)
        checks = _checks(cls)
        if checks:
            out += ["", "Also refused:", ""]
            out += [f"- {_cell(c)}" for c in checks]
        out.append("")
    return "\n".join(out)


def cli_reference() -> str:
    """``--help`` of ``dvcore`` and every command, in MyST Markdown."""
    import click

    from dvcore.i18n import set_language

    set_language("en")  # before dvcore.cli is imported: its option texts are made then
    from dvcore.cli import main

    out: list[str] = []
    root = click.Context(
        main, info_name="dvcore", terminal_width=88, max_content_width=88, **main.context_settings
    )
    set_language("en")  # these pages are in English; `dvcore --help` speaks Vietnamese
    try:
        out += ["## `dvcore`", "", "```text", main.get_help(root).rstrip(), "```", ""]
        for name, command in main.commands.items():
            ctx = click.Context(
                command, info_name=name, parent=root, terminal_width=88, max_content_width=88
            )
            help_text = command.get_help(ctx).rstrip()
            out += [f"## `dvcore {name}`", "", "```text", help_text, "```", ""]
    finally:
        set_language(None)
    return "\n".join(out)


#: The public modules :func:`api_summary` lists, in the order of docs/api.md.
PUBLIC_MODULES = (
    "dvcore",
    "dvcore.store",
    "dvcore.events",
    "dvcore.serialization",
    "dvcore.periods",
    "dvcore.units",
    "dvcore.indicators",
    "dvcore.targets",
    "dvcore.tasks",
    "dvcore.reports",
    "dvcore.narrative",
    "dvcore.importing",
    "dvcore.tables",
    "dvcore.protocols",
    "dvcore.i18n",
    "dvcore.errors",
    "dvcore.hookspecs",
    "dvcore.registry",
    "dvcore.testing",
    "dvcore.testing.stores",
    "dvcore.testing.strategies",
    "dvcore.testing.contracts",
    "dvcore.testing.store_contract",
    "dvcore.testing.demo",
)


def _first_line(obj: Any) -> str:
    """The first sentence-line of ``obj``'s docstring, in plain Markdown."""
    doc = inspect.getdoc(obj) or ""
    paragraph = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    paragraph = re.sub(
        r":(?:py:)?(?:class|func|meth|mod|data|attr|exc):`~?([^`]+)`", r"`\1`", paragraph
    )
    paragraph = paragraph.replace("``", "`")
    return _cell(paragraph)


def api_summary() -> str:
    """The public modules and their public names, one line each, in Markdown."""
    out: list[str] = []
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        out += [f"**`{name}`**: {_first_line(module)}", ""]
        names = list(getattr(module, "__all__", []))
        for public in names:
            obj = getattr(module, public)
            line = ""
            if inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj):
                line = _first_line(obj)
            out.append(f"- `{public}`" + (f": {line}" if line else ""))
        if names:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


#: Generated blocks: their name in the markers, the page, and the generator.
BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "events": ("events.md", lambda: event_catalogue()),
    "cli": ("cli.md", lambda: cli_reference()),
    "api": ("api.md", lambda: api_summary()),
}


def _block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- generated: {re.escape(name)} -->\n)(.*?)(^{re.escape(END)})",
        re.DOTALL | re.MULTILINE,
    )


def regenerate(text: str, name: str, content: str) -> str:
    """``text`` with its ``name`` block holding ``content`` (the markers stay)."""
    pattern = _block(name)
    if not pattern.search(text):
        raise ValueError(f"no '<!-- generated: {name} -->' … '{END}' block")
    body = "\n" + content.strip("\n") + "\n\n"
    return pattern.sub(lambda m: m.group(1) + body + m.group(3), text, count=1)


def _environment() -> None:
    """Generate as Sphinx does: the core alone (no installed plugin), in English."""
    os.environ["DVCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ["DVCORE_LANG"] = "en"


def stale_pages(docs: Path = DOCS) -> dict[Path, str]:
    """The pages whose generated blocks differ from the code's, with their fresh text."""
    _environment()
    out: dict[Path, str] = {}
    for name, (page, generate) in BLOCKS.items():
        path = docs / page
        current = out.get(path, path.read_text(encoding="utf-8"))
        fresh = regenerate(current, name, generate())
        if fresh != path.read_text(encoding="utf-8"):
            out[path] = fresh
    return out


def _check(app: Sphinx) -> None:
    from sphinx.util import logging

    stale = stale_pages(Path(app.srcdir))
    if stale:
        logging.getLogger(__name__).warning(
            "generated reference out of date in %s: run `nox -s gendocs` "
            "(python docs/_ext/dvcore_docs.py --write)",
            ", ".join(sorted(p.name for p in stale)),
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Check, when the build starts, that the pages' generated blocks are current."""
    app.connect("builder-inited", _check)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    """``--write`` the generated blocks into the pages, or ``--check`` they are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite stale blocks")
    action.add_argument("--check", action="store_true", help="exit 1 when a block is stale")
    args = parser.parse_args(argv)
    stale = stale_pages()
    for path, text in stale.items():
        if args.write:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(DOCS.parent)}")
        else:
            print(f"stale: {path.relative_to(DOCS.parent)}", file=sys.stderr)
    if args.check and stale:
        print("run `nox -s gendocs` (python docs/_ext/dvcore_docs.py --write)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
