"""Hostile chat exports against the note importers (property tests, hypothesis).

Files are built from what arrives in practice and in attacks: Slack exports whose messages carry random
text, NUL bytes, huge fields, HTML and script tags, wrong types where strings belong; Teams documents with
random shapes; Markdown zips with random names (``../`` and absolute ones among them), encodings and front
matter; and plain random bytes under every filename. The properties:

* reading never raises anything but :class:`NoteFormatError` (with a message a person can read);
* what a reader returns can be stored as it is (strings, aware datetimes, bounded lengths);
* all-or-nothing in the database: a refused file stores no note and no import record; an accepted one
  stores every note it read, and importing it again stores nothing more.
"""

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from playbooks import note_samples
from playbooks.note_formats import MAX_NOTE_CHARS, NoteFormatError, parse_export
from playbooks.notes import Note, NoteImport, import_notes
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import make_world

pytestmark = [
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
    pytest.mark.filterwarnings("ignore:Duplicate name"),  # hostile zips repeat names on purpose
]
PURE = settings(max_examples=300, deadline=None, derandomize=True)
STORED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["<script>alert(1)</script>", "30分→5分", "```\nprompt\n```", "\x00\x00", "=cmd|' /C calc'!A0"]
    ),
    st.text(min_size=1, max_size=3).map(lambda t: t * 20_000),  # huge fields
)
junk = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=3), texts
)
slack_message = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["message", "message", "event", None]),
        "user": st.one_of(st.sampled_from(["U01AAA", "U01BBB"]), junk),
        "text": st.one_of(texts, junk),
        "ts": st.one_of(st.floats(min_value=0, max_value=2e9).map(lambda f: f"{f:.6f}"), junk),
    },
    optional={
        "subtype": st.sampled_from(["channel_join", "bot_message", "file_share", "thread_broadcast", "x"]),
        "thread_ts": junk,
        "edited": st.one_of(st.fixed_dictionaries({"ts": junk}), junk),
        "files": st.one_of(st.lists(st.fixed_dictionaries({"name": junk}), max_size=3), junk),
    },
)


def slack_zip(messages, channel_name="ai-use-cases") -> bytes:
    files = {
        "channels.json": json.dumps([{"id": "C1", "name": channel_name}]),
        "users.json": json.dumps(note_samples.SLACK_USERS),
        f"{channel_name}/2026-11-01.json": json.dumps(messages, ensure_ascii=False),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


member_names = st.one_of(
    st.text(alphabet="abc/._-日本", min_size=1, max_size=30).map(lambda n: n + ".md"),
    st.sampled_from(
        ["../x.md", "/etc/x.md", "a/../../b.md", "C:/x.md", "a\\b.md", "__MACOSX/._a.md", ".obsidian/x.md"]
    ),
)
member_bodies = st.one_of(
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"---\ntitle: [x\n---\n",
            b"---\n- a\n- b\n---\nbody",
            b"---\ndate: 2026-13-45\n---\n",
            "# 見積".encode("cp932"),
        ]
    ),
)


def markdown_zip(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


teams_documents = st.recursive(
    st.one_of(
        junk,
        st.fixed_dictionaries(
            {"id": junk, "body": st.one_of(junk, st.fixed_dictionaries({"content": texts}))}
        ),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["value", "from", "body", "id", "createdDateTime"]), children, max_size=4
        ),
    ),
    max_leaves=12,
)

hostile_files = st.one_of(
    st.lists(slack_message, max_size=8).map(lambda m: (slack_zip(m), "export.zip")),
    st.lists(st.tuples(member_names, member_bodies), min_size=1, max_size=5).map(
        lambda m: (markdown_zip(m), "notes.zip")
    ),
    teams_documents.map(lambda d: (json.dumps(d, ensure_ascii=False).encode(), "channel.json")),
    st.tuples(st.binary(max_size=500), st.sampled_from(["x.zip", "x.json", "x.md", "x"])),
)


def check_readable(parsed) -> None:
    for note in parsed.notes:
        assert isinstance(note.raw, str) and isinstance(note.text, str) and len(note.raw) <= MAX_NOTE_CHARS
        assert note.posted_at.tzinfo is not None
        assert isinstance(note.channel, str) and len(note.external_id) <= 255
        assert all(isinstance(a, str) for a in note.attachments)
        json.dumps(note.meta)


@PURE
@given(hostile_files)
def test_reading_any_file_gives_notes_or_a_message(file):
    data, filename = file
    try:
        parsed = parse_export(data, filename)
    except NoteFormatError as error:
        assert str(error.message) and "%(" not in (
            error.message % error.message.params if error.message.params else str(error.message)
        )
        return
    check_readable(parsed)


def counts(app, world):
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        return (
            db.session.scalar(select(func.count(Note.id)).where(Note.account_id == world.account_ids[0])),
            db.session.scalar(
                select(func.count(NoteImport.id)).where(NoteImport.account_id == world.account_ids[0])
            ),
        )


@pytest.fixture
def hostile_world(app):
    return make_world(app, "hostile-notes")


@STORED
@given(file=hostile_files)
def test_an_import_is_all_or_nothing_and_idempotent(app, hostile_world, file):
    data, filename = file
    world = hostile_world
    before_notes, before_imports = counts(app, world)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        try:
            outcome = import_notes(db.session, account, None, data, filename=filename, secret="s")
            db.session.commit()
        except NoteFormatError:
            db.session.rollback()
            outcome = None
        if outcome is not None:
            added = outcome.record.added
            again = import_notes(db.session, account, None, data, filename=filename, secret="s")
            db.session.commit()
            assert again.record.added == 0 and again.record.already_there == len(again.parsed.notes)
    after_notes, after_imports = counts(app, world)
    if outcome is None:
        assert (after_notes, after_imports) == (before_notes, before_imports)  # nothing partial
    else:
        assert after_notes == before_notes + added
        assert after_imports == before_imports + 2
