"""Issue 12 through the command line: a commune's clerk sends, re-sends, the district
reviews. On SQLite and, when DVCORE_PG_URL is set, PostgreSQL (the ``store_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dvcore import open_store
from dvcore.cli import main
from test_resend import C1, C2, CITY, DISTRICT, V1, V2, dialogues, unit_events

Q3 = "2023-Q3"


def run(store_url: str, *args: str, actor: str | None = None) -> Result:
    head = ["--store", store_url, "--lang", "en"] + (["--actor", actor] if actor else [])
    return CliRunner().invoke(main, [*head, *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def head_of(store_url: str) -> int:
    with open_store(store_url, create=False) as store:
        return store.head()


def snapshot_json(store_url: str, unit: str, *extra: str) -> tuple[str, dict[str, Any]]:
    out = ok(run(store_url, "snapshot", "--unit", unit, "--period", Q3, "--format", "json", *extra))
    return out, json.loads(out)


def submission_of(store_url: str, unit: str) -> dict[str, Any]:
    out = ok(run(store_url, "submissions", "--unit", DISTRICT, "--period", Q3, "--format", "json"))
    (found,) = [u for u in json.loads(out)["units"] if u["unit"] == unit]
    return found


def review(store_url: str, actor: str, *decision: str) -> Result:
    return run(store_url, "review", "--unit", C1, "--period", Q3, *decision, actor=actor)


def counts_in(output: str) -> tuple[int, int, int, int]:
    found = re.search(r"(\d+) unchanged, (\d+) corrected, (\d+) retracted, (\d+) added", output)
    assert found, output
    return tuple(int(n) for n in found.groups())  # type: ignore[return-value]


@pytest.fixture
def tree(store_url: str) -> str:
    with open_store(store_url) as store:
        store.append(unit_events(), actor=CITY)
    return store_url


def instant() -> str:
    """Now, as an ISO instant, strictly between what came before and what comes after."""
    time.sleep(0.05)
    now = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.05)
    return now


def test_the_clerks_story_through_the_command_line(tree: str, tmp_path: Path) -> None:
    url = tree
    v1 = dialogues(tmp_path / "v1" / "DialogueHeld.csv", V1)
    v2 = dialogues(tmp_path / "v2" / "DialogueHeld.csv", V2)
    send = ("--unit", C1, "--period", Q3)

    out = ok(run(url, "import", str(v1), *send, actor=C1))
    assert counts_in(out) == (0, 0, 0, 5)
    assert "version 1" in out
    _text, first = snapshot_json(url, C1)
    assert first["indicators"]["dialogue.count"]["value"] == 5

    between = instant()
    printed, _data = snapshot_json(url, C1, "--as-known-at", between)

    # a dry run of v2 says what it would record and writes nothing
    head = head_of(url)
    out = ok(run(url, "import", "--dry-run", str(v2), *send, actor=C1))
    assert counts_in(out) == (3, 0, 2, 2)
    assert "dry run" in out
    assert "nothing was written" in out
    assert head_of(url) == head
    assert submission_of(url, C1)["versions"] == 1

    out = ok(run(url, "import", str(v2), *send, actor=C1))
    assert counts_in(out) == (3, 0, 2, 2)
    assert "version 2" in out
    assert head_of(url) == head + 5  # 2 retractions, 2 rows, the version

    _text, now = snapshot_json(url, C1)
    figure = now["indicators"]["dialogue.count"]
    assert figure["value"] == 5
    assert figure["by"]["host"] == {
        "chairman": 2,
        "party_secretary": 1,
        "standing_committee": 1,
        "other": 1,
    }
    _text, district = snapshot_json(url, DISTRICT)
    assert district["indicators"]["dialogue.count"]["value"] == 5
    # as known before v2: v1's figures, byte for byte what was printed then
    again, old = snapshot_json(url, C1, "--as-known-at", between)
    assert again == printed
    assert old["indicators"]["dialogue.count"] == first["indicators"]["dialogue.count"]
    assert old["indicators"]["dialogue.count"]["by"]["host"] == {
        "chairman": 3,
        "party_secretary": 1,
        "other": 1,
    }
    explained = json.loads(
        ok(
            run(
                url,
                "explain",
                "--unit",
                C1,
                "--period",
                Q3,
                "--indicator",
                "dialogue.count",
                "--format",
                "json",
            )
        )
    )
    assert explained["value"] == 5
    assert sorted(e["occurred_on"] for e in explained["events"]) == sorted(r[0] for r in V2)

    mine = submission_of(url, C1)
    assert (mine["versions"], mine["review"]) == (2, "received")
    assert mine["first_arrival"] < mine["last_arrival"]

    # the review: a sibling commune, or the commune itself, may not; the district may
    for who in (C2, C1):
        head = head_of(url)
        refused = review(url, who, "--accept")
        assert refused.exit_code == 2, refused.output
        assert "Traceback" not in refused.output
        assert head_of(url) == head
    out = ok(review(url, DISTRICT, "--accept"))
    assert "accepted version 2" in out
    assert submission_of(url, C1)["review"] == "accepted"

    # v2 re-saved and sent again: nothing recorded, still accepted
    head = head_of(url)
    resaved = dialogues(
        tmp_path / "v2b" / "DialogueHeld.csv",
        V2,
        bom=True,
        sep=";",
        crlf=True,
        order=[4, 3, 2, 1, 0],
    )
    out = ok(run(url, "import", str(resaved), *send, actor=C1))
    assert counts_in(out) == (5, 0, 0, 0)
    assert head_of(url) == head
    assert submission_of(url, C1)["review"] == "accepted"

    # returned, then re-sent: received again, as version 3
    out = ok(review(url, DISTRICT, "--return", "--reason", "thiếu số người dự"))
    assert "returned version 2" in out
    assert submission_of(url, C1)["review"] == "returned"
    v3 = dialogues(
        tmp_path / "v3" / "DialogueHeld.csv", [*V2, ("2023-09-20", C1, "", "chairman", "12")]
    )
    out = ok(run(url, "import", str(v3), *send, actor=C1))
    assert counts_in(out) == (5, 0, 0, 1)
    mine = submission_of(url, C1)
    assert (mine["versions"], mine["review"]) == (3, "received")
    _text, now = snapshot_json(url, C1)
    assert now["indicators"]["dialogue.count"]["value"] == 6

    assert "ok" in ok(run(url, "verify"))


def test_a_bad_row_names_file_and_row_and_writes_nothing(tree: str, tmp_path: Path) -> None:
    url = tree
    ok(
        run(
            url,
            "import",
            str(dialogues(tmp_path / "v1" / "DialogueHeld.csv", V1)),
            "--unit",
            C1,
            "--period",
            Q3,
            actor=C1,
        )
    )
    head = head_of(url)
    bad = dialogues(
        tmp_path / "bad" / "DialogueHeld.csv", [*V2, ("2023-09-11", "HP.D.09", "", "chairman", "3")]
    )
    result = run(url, "import", str(bad), "--unit", C1, "--period", Q3, actor=C1)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert str(bad) in result.output
    assert "row 7" in result.output
    assert "HP.D.09" in result.output
    assert head_of(url) == head
    assert submission_of(url, C1)["versions"] == 1
    # a dry run of it too
    dry = run(url, "import", "--dry-run", str(bad), "--unit", C1, "--period", Q3, actor=C1)
    assert dry.exit_code == 2
    assert "row 7" in dry.output
    assert head_of(url) == head


def test_a_row_outside_the_period_names_its_date(tree: str, tmp_path: Path) -> None:
    url = tree
    bad = dialogues(tmp_path / "DialogueHeld.csv", [*V1, ("2023-06-30", C1, "", "chairman", "3")])
    result = run(url, "import", str(bad), "--unit", C1, "--period", Q3, actor=C1)
    assert result.exit_code == 2, result.output
    assert "row 7" in result.output
    assert "30/06/2023" in result.output
    assert head_of(url) == len(unit_events())
