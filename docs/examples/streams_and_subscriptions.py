"""Streams and subscriptions, end to end on a SQLite file (tests/test_subscriptions.py runs it)."""

import tempfile
from pathlib import Path

import dvcore

unit = {
    "type": "UnitRegistered",
    "occurred_on": "2020-01-01",
    "unit": "LC.01",
    "data": {"code": "LC.01", "name": "Xã Lạc Chân", "kind": "commune"},
    "source_ref": "unit:LC.01",
}


def dialogue(ref: str, participants: int) -> dict[str, object]:
    return {
        "type": "DialogueHeld",
        "occurred_on": "2023-05-01",
        "unit": "LC.01",
        "data": {"host": "chairman", "participants": participants},
        "source_ref": ref,
    }


with tempfile.TemporaryDirectory() as folder:
    url = f"sqlite:///{Path(folder) / 'dvcore.db'}"
    seen = []
    with dvcore.open_store(url, listeners=[seen.extend]) as store:
        store.append([unit])

        # A stream is a unit's code (or the event's `stream`); its version counts its events.
        version = store.stream_version("LC.01")  # 1
        batch = [dialogue("LC.01/2023-05-01/1", 40), dialogue("LC.01/2023-05-01/2", 25)]
        first = store.append(batch, expected_version=version)
        # The answer was lost and the client retries: the same events, the same version.
        retry = store.append(batch, expected_version=version)
        assert (first.appended, retry.appended) == (2, 0)
        assert store.stream_version("LC.01") == 3
        assert [e.version for e in store.read(stream="LC.01")] == [1, 2, 3]
        # A figure as the store knew it at a log position.
        assert store.snapshot("LC.01", "2023", as_known_at=2).value("dialogue.count") == 1

        # A named consumer: everything it has not acknowledged, then what others append.
        with store.subscribe("dashboard", types=["DialogueHeld"]) as sub:
            for event in sub.events(timeout=0.2):
                print(event.position, event.type, event.data.participants)
                sub.ack(event.position)
    assert len(seen) == 3  # the listener was handed every recorded event, not the retry

    # Restarted (another process, or here a new Store), the consumer continues after its ack.
    with dvcore.open_store(url) as store:
        store.append([dialogue("LC.01/2023-06-01/1", 31)])
        with store.subscribe("dashboard") as sub:
            assert [e.position for e in sub.events(timeout=0.2)] == [4]
