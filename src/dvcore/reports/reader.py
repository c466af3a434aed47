"""The store questions one report asks, each asked once."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from dvcore.periods import Period
from dvcore.units import UnitTree


class AcceptedOnly:
    """A store whose figures count only the rows of accepted submissions: every snapshot,
    target and explanation a report asks for is asked with ``accepted_only=True``."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def snapshot(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.snapshot(*args, accepted_only=True, **kwargs)

    def targets(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.targets(*args, accepted_only=True, **kwargs)

    def explain(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.explain(*args, accepted_only=True, **kwargs)


class Reader:
    """The store questions one report asks, each asked once."""

    def __init__(self, store: Any, unit: str, period: Period, as_known_at: Any) -> None:
        self.store = store
        self.unit = unit
        self.period = period
        self.as_known_at = as_known_at
        self.state = store.state(
            store.position_at(as_known_at) if as_known_at is not None else None
        )
        self.tree: UnitTree = self.state.tree
        self._documents: list[Any] | None = None

    def explain(self, indicator: str, unit: str | None = None, period: Period | None = None) -> Any:
        return self.store.explain(
            unit or self.unit, period or self.period, indicator, as_known_at=self.as_known_at
        )

    def documents(self) -> list[Any]:
        """Every ``DocumentIssued`` known at the instant (raw: corrections not applied)."""
        if self._documents is None:
            upto = (
                self.store.position_at(self.as_known_at) if self.as_known_at is not None else None
            )
            self._documents = list(self.store.read(types=["DocumentIssued"], upto=upto))
        return self._documents

    def name(self, code: str, day: dt.date | None = None) -> str:
        if code not in self.tree:
            return code
        return str(self.tree.state(code, day).name)

    def children(self, code: str, day: dt.date) -> list[str]:
        """The units whose parent is ``code`` on ``day``, in registration order."""
        return [
            c
            for c in self.tree.codes()
            if self.tree.exists(c, day) and self.tree.state(c, day).parent == code
        ]

    def child_of(self, root: str, code: str, day: dt.date) -> str | None:
        """The direct child of ``root`` whose subtree holds ``code`` on ``day``."""
        if code not in self.tree:
            return None
        chain = [code, *self.tree.ancestors(code, day)]
        for below, above in itertools.pairwise(chain):
            if above == root:
                return below
        return None
