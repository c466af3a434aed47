"""Subscriptions: named consumers that read the log in position order and keep their place.

A subscription catches up from the position its consumer acknowledged, then waits for what
any process appends. Tailing by position is safe because positions are assigned in commit
order under the store's writer lock (see :mod:`dvcore.store.sql`): when a reader sees
position *n*, every position below it has committed, so no event is ever skipped.

Waiting costs nothing on PostgreSQL: every append sends ``NOTIFY dvcore_events`` inside
its transaction (delivered at commit) and a subscription ``LISTEN``\\s on a connection of
its own. SQLite has no notifications: a subscription polls the head of the log.

Delivery is at least once: a consumer that stops between handling an event and
acknowledging it sees that event again after a restart.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from dvcore.errors import InputError, StoreError
from dvcore.events import RecordedEvent
from dvcore.i18n import _
from dvcore.store import schema

if TYPE_CHECKING:
    from dvcore.store.sql import Store

__all__ = ["NOTIFY_CHANNEL", "POLL_INTERVAL", "Subscription"]

#: The PostgreSQL channel every append notifies at commit, with the new head as payload.
NOTIFY_CHANNEL = "dvcore_events"
#: Seconds between two looks at the head of a SQLite log.
POLL_INTERVAL = 0.05
#: On PostgreSQL, look at the head at least this often even without a notification: an
#: event may arrive by a path that does not notify (a restore, an older dvcore).
_PG_FALLBACK = 2.0


class Subscription:
    """A named consumer of the log: :meth:`events` yields what it has not acknowledged,
    :meth:`ack` keeps its place in the store.

    Get one with :meth:`dvcore.Store.subscribe`. Close it (or use it as a context manager)
    to release its PostgreSQL listening connection.
    """

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        types: Iterable[str] | None = None,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InputError(
                _("a subscription needs a name of 1 to 200 characters, not '{name}'", name=name),
                name=name,
            )
        self.store = store
        #: the consumer's name: its acknowledged position is kept under it
        self.name = name
        #: the event types it receives (``None``: every type)
        self.types: frozenset[str] | None = None if types is None else frozenset(types)
        self.poll_interval = poll_interval
        self._delivered = 0
        self._listener: Any = None  # a psycopg connection LISTENing, on PostgreSQL

    # --- the consumer's place -------------------------------------------------------------

    @property
    def position(self) -> int:
        """The position the consumer acknowledged last (0 if never)."""
        try:
            with self.store.engine.connect() as conn:
                value = conn.execute(
                    select(schema.consumers.c.position).where(schema.consumers.c.name == self.name)
                ).scalar()
        except DBAPIError as exc:
            raise StoreError(f"the store failed: {exc.orig}") from exc
        return int(value or 0)

    def ack(self, position: int) -> None:
        """Keep ``position`` as the consumer's place: a subscription of this name opened
        later (in this process or another) starts after it."""
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise InputError(
                _("a position is a whole number from 0, not '{value}'", value=position),
                value=position,
            )
        table = schema.consumers
        now = dt.datetime.now(dt.UTC)
        insert = postgresql.insert if self.store.dialect == "postgresql" else sqlite.insert
        stmt = insert(table).values(name=self.name, position=position, updated_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.name],
            set_={"position": stmt.excluded.position, "updated_at": stmt.excluded.updated_at},
        )
        try:
            # dv_write: SQLite takes its write lock up front (no deadlock upgrading a read).
            with (
                self.store.engine.connect().execution_options(dv_write=True) as conn,
                conn.begin(),
            ):
                head = int(conn.execute(select(func.max(schema.events.c.position))).scalar() or 0)
                if position > head:
                    raise InputError(
                        _(
                            "position {position} is not in the log yet (its head is {head})",
                            position=position,
                            head=head,
                        ),
                        position=position,
                        head=head,
                    )
                conn.execute(stmt)
        except DBAPIError as exc:
            raise StoreError(f"the store failed: {exc.orig}") from exc

    # --- reading --------------------------------------------------------------------------

    def events(self, timeout: float | None = 5.0) -> Iterator[RecordedEvent]:
        """Every event after the consumer's place, in position order, then each new one
        as any process appends it, until ``timeout`` seconds pass with nothing new
        (``None``: wait for ever).

        The place is the acknowledged position, or the last event this object yielded
        if that is further. Only events of :attr:`types` are yielded when it is set.
        """
        if timeout is not None and timeout < 0:
            raise InputError(
                _("timeout must be 0 seconds or more, not {value}", value=timeout), value=timeout
            )
        self._listen()  # before the first look: a commit in between is not missed
        cursor = max(self.position, self._delivered)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            head = self.store.head()
            if head > cursor:
                yielded = False
                for event in self.store.read(after=cursor, upto=head, types=self.types):
                    self._delivered = event.position
                    yielded = True
                    yield event
                cursor = head
                self._delivered = max(self._delivered, head)
                if yielded and timeout is not None:
                    deadline = time.monotonic() + timeout
                continue
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            self._wait(remaining)

    # --- waiting --------------------------------------------------------------------------

    def _listen(self) -> None:
        if self.store.dialect != "postgresql" or self._listener is not None:
            return
        import psycopg  # the PostgreSQL driver: present whenever the store is PostgreSQL

        engine = self.store.engine
        _args, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)
        try:
            conn = psycopg.connect(**params, autocommit=True)
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as exc:
            raise StoreError(f"the store failed: {exc}") from exc
        self._listener = conn

    def _wait(self, remaining: float | None) -> None:
        if self._listener is None:
            time.sleep(
                self.poll_interval if remaining is None else min(self.poll_interval, remaining)
            )
            return
        import psycopg

        wait = _PG_FALLBACK if remaining is None else min(_PG_FALLBACK, remaining)
        try:
            for _note in self._listener.notifies(timeout=wait, stop_after=1):
                pass
            # Several appends may have committed meanwhile: one look at the head serves all.
            for _note in self._listener.notifies(timeout=0):
                pass
        except psycopg.Error as exc:
            raise StoreError(f"the store failed: {exc}") from exc

    def close(self) -> None:
        """Release the listening connection (PostgreSQL); the acknowledged place stays."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
