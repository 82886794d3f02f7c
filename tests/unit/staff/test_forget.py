"""make forget (staff/forget.py, then stores/retention.py): a visitor's words leave the
staff app's taught examples, its history and the data snapshots of the published versions,
then their conversation leaves the tracker store; where a copy remains, it says so.

Every test works on a copy of the project's data (``data_root``, tests/conftest.py) and a
tracker store of its own, a SQLite file or a PostgreSQL schema (issue 16, finding 6).
"""

from __future__ import annotations

import json
import tarfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.utils.endpoints import read_endpoint_config

from staff import forget, history
from staff.edits import Edits
from staff.history import History
from staff.live import CallbackMarks
from staff.problems import ContentError
from staff.publish import lock
from staff.publish.files import archive
from staff.settings import StaffSettings
from staff.yaml_edit import today
from tests.support.stored_conversations import user

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
VISITOR = "visitor-9"
#: What the visitor wrote, and what staff taught of it.
SAID_AS_IS = "how long till i look normal again"
SAID_WITH_NAME = "My name is Sarah Lee, can I get botox while breastfeeding?"
TAUGHT_ANONYMISED = "My name is <name>, can I get botox while breastfeeding?"
SAID_EDITED = "is botox any good for my rolling scars honestly"
TAUGHT_EDITED = "is botox any good for rolling scars"
SAID_LIKE_THE_DATA = "does it hurt"  # one of the project's own examples of pain
#: Another visitor's message, taught too: it stays.
OTHERS = "will my face look frozen for weeks"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def endpoints(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An endpoints.yml whose tracker store is a SQLite file, or a PostgreSQL schema of its
    own (created, and dropped afterwards)."""
    path = tmp_path / "endpoints.yml"
    if request.param == "sqlite":
        path.write_text(
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'tracker.db'}\n"
        )
        yield path
        return
    schema = f"forget_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    path.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
        f"  db: test\n  username: postgres\n  query:\n    options: -csearch_path={schema}\n"
    )
    try:
        yield path
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def conversation(sender: str, messages: List[str]) -> DialogueStateTracker:
    now = time.time()
    events = []
    for number, text in enumerate(messages):
        events += [
            user(text, "faq", at=now + 2 * number),
            BotUttered("An answer.", timestamp=now + 2 * number + 1),
        ]
    return DialogueStateTracker.from_events(sender, events)


@pytest.fixture
def staff_env(tmp_path: Path, data_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The staff app's settings of this test (``STAFF_*``); its registry of versions."""
    monkeypatch.setenv("STAFF_DB", str(tmp_path / "staff.db"))
    monkeypatch.setenv("STAFF_DATA_ROOT", str(data_root))
    monkeypatch.setenv("STAFF_MODELS", str(tmp_path / "published"))
    return tmp_path / "published"


def reviewed_text(root: Path) -> str:
    folder = root / "data" / "nlu" / "reviewed"
    return "".join(p.read_text() for p in sorted(folder.glob("*.yml")))


def archived_text(path: Path) -> str:
    with tarfile.open(path, "r:gz") as packed:
        return "".join(
            packed.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in packed.getmembers()
            if m.isfile() and m.name.startswith("data/nlu/reviewed/")
        )


def rasa_warnings(text: str) -> List[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RasaYAMLReader().reads(text)
    return [str(w.message) for w in caught if "rasa" in str(w.filename)]


async def test_forget_takes_the_visitors_words_out_of_what_the_staff_app_keeps(
    endpoints: Path,
    staff_env: Path,
    data_root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tracker_store = TrackerStore.create(read_endpoint_config(str(endpoints), "tracker_store"))
    said = [SAID_AS_IS, SAID_WITH_NAME, SAID_EDITED, SAID_LIKE_THE_DATA]
    await tracker_store.save(conversation(VISITOR, said))
    await tracker_store.save(conversation("another", [OTHERS]))
    # Staff teach three of the visitor's messages (one anonymised, one edited) and another
    # visitor's, from the Teach page (which names the conversation)...
    log = History(tmp_path / "staff.db")
    edits = Edits(data_root, log)
    edits.add_example("downtime", SAID_AS_IS, "ana", VISITOR)
    edits.add_example("personal advice", TAUGHT_ANONYMISED, "ana", VISITOR)
    edits.add_example("atrophic_scars", TAUGHT_EDITED, "ben", VISITOR)
    edits.add_example("side_effects", OTHERS, "ana", "another")
    # ... publish a version (its data snapshot) and roll back once (the copy it keeps).
    version = staff_env / "20261201-100000-000-aaaaaaaaaaaa"
    version.mkdir(parents=True)
    archive(data_root, version / "data.tar.gz")
    (staff_env / "backups").mkdir()
    archive(data_root, staff_env / "backups" / "20261202-100000-before-rollback.tar.gz")
    for words in (SAID_AS_IS, TAUGHT_ANONYMISED, TAUGHT_EDITED, OTHERS):
        assert words in reviewed_text(data_root)
        assert words in archived_text(version / "data.tar.gz")

    assert forget.main(["--endpoints", str(endpoints), VISITOR]) == 0

    # The taught examples of the visitor are gone (with their "added by" comments); the
    # other visitor's stays, and Rasa reads the files without a warning.
    taught = reviewed_text(data_root)
    for words in (SAID_AS_IS, TAUGHT_ANONYMISED, TAUGHT_EDITED):
        assert words not in taught
    assert OTHERS in taught
    assert taught.count(f"# added by ana on {today()}") == 1
    assert not (data_root / "data/nlu/reviewed/downtime.yml").exists()
    assert rasa_warnings(taught) == []
    # The project's own example with the same words is left, and named.
    assert "- does it hurt\n" in (data_root / "data/nlu/faq/pain.yml").read_text()
    # The history keeps who taught what when, not the words.
    entries = [e for e in log.entries() if e.action == history.EXAMPLE_TAUGHT]
    assert [(e.who, e.after, e.detail) for e in reversed(entries)] == [
        ("ana", history.FORGOTTEN, ""),
        ("ana", history.FORGOTTEN, ""),
        ("ben", history.FORGOTTEN, ""),
        ("ana", OTHERS, history.taught_from("another")),
    ]
    # The published version's data and the rollback's copy are without them too.
    for snapshot in (version / "data.tar.gz", *(staff_env / "backups").glob("*.tar.gz")):
        kept = archived_text(snapshot)
        assert OTHERS in kept
        for words in (SAID_AS_IS, TAUGHT_ANONYMISED, TAUGHT_EDITED):
            assert words not in kept
    # The conversation is deleted; the other one is not.
    assert sorted(await tracker_store.keys()) == ["another"]
    said_out = capsys.readouterr().out
    assert f"removed the example '{SAID_AS_IS}' from data/nlu/reviewed/downtime.yml" in said_out
    assert "removed their words from 3 history entry(ies)" in said_out
    assert "removed their words from 2 data snapshot(s)" in said_out
    assert "a copy remains: data/nlu/faq/pain.yml has the example 'does it hurt'" in said_out
    assert "a copy remains: the trained models" in said_out
    assert f"forget '{VISITOR}': deleted 1 conversation(s), 8 event(s):" in said_out


async def test_forget_while_a_publish_runs_changes_nothing_and_says_so(
    endpoints: Path, staff_env: Path, data_root: Path, tmp_path: Path
) -> None:
    tracker_store = TrackerStore.create(read_endpoint_config(str(endpoints), "tracker_store"))
    await tracker_store.save(conversation(VISITOR, [SAID_AS_IS]))
    Edits(data_root, History(tmp_path / "staff.db")).add_example(
        "downtime", SAID_AS_IS, "ana", VISITOR
    )
    before = reviewed_text(data_root)
    running = lock.acquire(staff_env)  # a publish job holds the registry's lock
    try:
        with pytest.raises(SystemExit) as stopped:
            forget.main(["--endpoints", str(endpoints), VISITOR])
    finally:
        lock.release(running)
    assert "A publish is already running" in str(stopped.value)
    assert "Nothing was deleted; run make forget again" in str(stopped.value)
    assert reviewed_text(data_root) == before
    assert await tracker_store.keys() == [VISITOR]


def test_an_entry_keeps_its_other_examples_and_a_file_edited_by_hand_is_left_to_a_person() -> None:
    theirs = forget.matcher(["Does it HURT?", "how long does it last"])
    document = (
        'version: "3.1"\n'
        "nlu:\n"
        "# added by hand\n"
        "- intent: faq/pain\n"
        "  examples: |\n"
        "    - does it hurt\n"
        "    - is it [painful](symptom)\n"
        "# added by jo on 2026-12-01\n"
        "- intent: faq/results_duration\n"
        "  examples: |\n"
        "    - how long does it last?\n"
    )
    edited, removed = forget.without_examples(document, theirs)
    assert removed == ["does it hurt", "how long does it last?"]
    assert edited == (
        'version: "3.1"\n'
        "nlu:\n"
        "# added by hand\n"
        "- intent: faq/pain\n"
        "  examples: |\n"
        "    - is it [painful](symptom)\n"
    )
    assert forget.without_examples(document, forget.matcher(["nothing of this"])) == (
        document,
        [],
    )
    # Only their examples: the file goes.
    alone = (
        'version: "3.1"\nnlu:\n# added by jo\n- intent: faq/pain\n  examples: |\n'
        "    - does it hurt\n"
    )
    assert forget.without_examples(alone, theirs) == (None, ["does it hurt"])
    # An entry written another way (its examples as a list of texts) is not guessed at.
    odd = (
        'version: "3.1"\nnlu:\n- intent: faq/pain\n  metadata: {}\n  examples: |\n'
        "    - does it hurt\n"
    )
    with pytest.raises(ContentError, match="remove them by hand: 'does it hurt'"):
        forget.without_examples(odd, theirs)


def test_publish_reports_and_history_that_quote_their_words_lose_those_lines(
    staff_env: Path, tmp_path: Path
) -> None:
    """A check's warning quotes an example word for word ("... 'how long till i look normal
    again' ..."); publishing keeps the warnings in each version's meta.json, each job's
    status.json and the history."""
    quoted = f"The example '{SAID_AS_IS.capitalize()}!' is in two topics: faq/a and faq/b."
    other = "The example 'will it hurt' is in two topics: faq/c and faq/d."
    meta = staff_env / "v1" / "meta.json"
    status = staff_env / "jobs" / "20261206-081500-ab12" / "status.json"
    for path, keys in ((meta, ("warnings",)), (status, ("warnings", "problems"))):
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({key: [quoted, other] for key in keys} | {"id": "x"}))
    log = History(tmp_path / "staff.db")
    log.record("ana", history.PUBLISH_FAILED, subject="job", detail=f"{quoted}\n{other}")

    forgotten = forget.forget_visitor(StaffSettings.from_env(), VISITOR, [SAID_AS_IS])

    for path in (meta, status):
        document = json.loads(path.read_text())
        for key in ("warnings", "problems"):
            if key in document:
                assert document[key] == [history.FORGOTTEN, other], path
        assert document["id"] == "x"
    [entry] = log.entries(action=history.PUBLISH_FAILED)
    assert entry.detail == f"{history.FORGOTTEN}\n{other}"
    assert SAID_AS_IS not in forgotten.report(VISITOR)
    assert "2 publish report(s)" in forgotten.report(VISITOR)


async def test_forget_removes_the_live_chats_marks_and_names_of_the_visitor(
    endpoints: Path,
    staff_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The callback request itself (name, number) is in the conversation, which goes; the
    staff database's "done" mark of it and the History's entries naming the visitor go
    too (issue 17)."""
    tracker_store = TrackerStore.create(read_endpoint_config(str(endpoints), "tracker_store"))
    await tracker_store.save(conversation(VISITOR, ["can someone call me back"]))
    log = History(tmp_path / "staff.db")
    marks = CallbackMarks(tmp_path / "staff.db")
    marks.mark_done((VISITOR, 1000.0), "ana")
    marks.mark_done(("another", 1000.0), "ana")
    log.record("ana", history.LIVE_TAKEN, subject=VISITOR)
    log.record("ana", history.CALLBACK_DONE, subject=VISITOR)

    assert forget.main(["--endpoints", str(endpoints), VISITOR]) == 0

    assert set(marks.marks()) == {("another", 1000.0)}
    assert {e.subject for e in log.entries()} == {history.FORGOTTEN_VISITOR}
    said = capsys.readouterr().out
    assert "removed 1 'done' mark(s) of their callback requests" in said
    assert "removed their words from 2 history entry(ies)" in said
    assert await tracker_store.keys() == []
