"""Looking at a running import from outside, shared by the crash and concurrency tests.

Not a test module.
"""

from __future__ import annotations

import sqlite3


def sqlite_write_locked(path: str) -> bool:
    """Whether some connection holds the SQLite file's write lock right now.

    dvcore's imports take it for their whole transaction (``BEGIN IMMEDIATE``), so this is
    "an import is inside its transaction". The WAL's size cannot say it: the page cache
    keeps an import's rows in memory until it spills or commits.
    """
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
    return False
