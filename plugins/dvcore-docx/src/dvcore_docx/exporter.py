"""The Word exporter: the built-in layouts, or the user's own docxtpl template."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
from docx.document import Document as DocumentObject

from dvcore.errors import InputError

__all__ = ["DocxExporter", "render_template", "save_reproducibly"]

_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_reproducibly(document: Any, path: Path) -> Path:
    """Save a python-docx (or docxtpl) document so that the same report gives the same bytes.

    python-docx stamps every zip entry with the time of saving; the entries are rewritten
    with one fixed timestamp, in the same order, so a report regenerated later (as known at
    the same instant) is byte for byte the one first generated.
    """
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(item.filename))
    return path


def _builders() -> Mapping[str, Callable[[Mapping[str, Any]], DocumentObject]]:
    from dvcore_docx import follow_up, periodic, term_commune

    return {
        "periodic": periodic.build,
        "term-commune": term_commune.build,
        "follow-up": follow_up.build,
    }


def render_template(template: Path, context: Mapping[str, Any], path: Path) -> Path:
    """Render the user's docxtpl ``template`` with the report context into ``path``.

    Jinja errors in the template are the user's input: they become
    :class:`~dvcore.errors.InputError` naming the template.
    """
    import jinja2
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]  # no type hints

    try:
        document = DocxTemplate(str(template))
        document.render(dict(context), autoescape=True)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f", line {line}" if line else ""
        raise InputError(f"{template}{where}: {exc}", template=str(template)) from exc
    except (KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"{template}: not a docxtpl template: {exc}", template=str(template)
        ) from exc
    return save_reproducibly(document, path)


@attrs.frozen
class DocxExporter:
    """Writes a report as a Word document in the Party format (or through ``--template``)."""

    name: str = "docx"
    suffix: str = ".docx"
    accepts_template: bool = True

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Write ``context`` to ``path``; ``context["template"]`` selects a user template."""
        template = context.get("template")
        if template:
            return render_template(Path(template), context, path)
        build = _builders()[context["report"]]
        return save_reproducibly(build(context), path)
