"""Test helpers for dvcore and its plugin authors: Hypothesis strategies, store contracts."""

__all__ = []
