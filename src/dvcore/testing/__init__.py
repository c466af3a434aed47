"""Test helpers for dvcore's users and plugin authors (``pip install dvcore[testing]``).

- :func:`temporary_store` and :class:`Clock` (:mod:`dvcore.testing.stores`): a fresh
  SQLite store per test or per Hypothesis example, on a clock the test sets.
- :mod:`dvcore.testing.strategies`: Hypothesis strategies for periods, unit trees and
  events valid against them.
- :mod:`dvcore.testing.contracts`: the cases every input channel and exporter passes.
- :mod:`dvcore.testing.store_contract`: the cases every store backend passes.
- :mod:`dvcore.testing.demo`: the Hai Phong demo data set and its report context.

``docs/testing.md`` shows them at work.
"""

from __future__ import annotations

from dvcore.testing.stores import Clock, temporary_store

__all__ = ["Clock", "temporary_store"]
