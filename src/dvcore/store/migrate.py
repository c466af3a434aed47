"""Creating and upgrading the schema with alembic (branch label ``dvcore``).

Standalone, dvcore keeps its own alembic version table (``dv_alembic_version``) and
upgrades on :func:`dvcore.open_store`. A host application that runs alembic itself adds
``dvcore.store:migrations/versions`` to its ``version_locations``, upgrades the ``dvcore``
branch with its own (``alembic upgrade dvcore@head``) and opens the store with
``create=False``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select

__all__ = ["VERSION_TABLE", "alembic_config", "current_revision", "upgrade"]

VERSION_TABLE = "dv_alembic_version"
_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x6476636F7265  # the store's writer lock: no append runs mid-upgrade


def alembic_config() -> Config:
    """An alembic configuration pointing at dvcore's migrations."""
    cfg = Config()
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("version_locations", str(_MIGRATIONS / "versions"))
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def upgrade(engine: Engine, revision: str = "dvcore@head") -> None:
    """Bring the schema to ``revision`` under the writer lock (concurrent openers wait)."""
    cfg = alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if current_revision(engine) == head:
        return
    with engine.connect().execution_options(dv_write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
