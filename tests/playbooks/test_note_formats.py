"""Reading Slack, Teams and Markdown exports (pure: no database), and refusing bad ones whole."""

import io
import json
import stat
import zipfile

import pytest

from playbooks import note_samples
from playbooks.note_formats import (
    MAX_FILE_BYTES,
    NoteFormatError,
    html_to_text,
    parse_export,
    slack_plain_text,
)
from playbooks.win_rules import extract_prompt, model_mentioned, split_prompt


def zip_of(files: dict[str, bytes | str], **info) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0)) if info else name, data)
    return buffer.getvalue()


def refused(data: bytes, filename: str = "upload.zip") -> str:
    with pytest.raises(NoteFormatError) as caught:
        parse_export(data, filename)
    message = caught.value.message
    return message % message.params if message.params else str(message)


# --- the samples, as each tool writes them -----------------------------------------------------------------


def test_slack_export_keeps_people_and_drops_joins_bots_and_channel_events():
    parsed = parse_export(note_samples.slack_export("2026-11"), "slack.zip")
    assert parsed.source == "slack"
    assert parsed.channels == ["ai-use-cases", "random"]
    assert len(parsed.notes) == 8 and parsed.skipped == 3  # a join, a bot post, a purpose change
    by_text = {n.text.split("\n")[0][:12]: n for n in parsed.notes}
    parent = next(n for n in parsed.notes if n.raw.startswith("議事録の要約"))
    replies = [n for n in parsed.notes if n.thread == parent.thread and n is not parent]
    assert len(replies) == 2  # the thread is kept together
    assert parent.author == "sato@sakura-mfg.example"  # the export's email, hashed when stored
    edited = next(n for n in parsed.notes if n.raw.startswith("Drafting supplier"))
    assert edited.edited_at is not None and edited.edited_at > edited.posted_at
    stub = next(n for n in parsed.notes if n.attachments)
    assert stub.attachments == ["見積チェック手順.pdf"]  # the name only: the file is not fetched
    linked = next(n for n in parsed.notes if "guide" in n.raw)
    assert linked.raw.startswith("See <https://example.com/guide|the guide>")  # raw stays raw
    assert linked.text == "See the guide (https://example.com/guide) and ask #random & me"
    assert len(by_text) == 8


def test_teams_export_reads_html_bodies_replies_and_skips_system_and_bot_messages():
    parsed = parse_export(note_samples.teams_export("2026-11"), "ai-use-cases.json")
    assert parsed.source == "teams" and parsed.channels == ["ai-use-cases"]
    assert len(parsed.notes) == 4 and parsed.skipped == 2
    first = parsed.notes[0]
    assert first.title == "稟議書ドラフト"
    assert first.raw.startswith("<p>稟議書のドラフトを<b>Copilot</b>")  # the HTML as exported
    assert "<b>" not in first.text and "```\n以下の要件で" in first.text  # <pre> reads as a prompt block
    reply = parsed.notes[1]
    assert reply.thread == first.thread == "1730700000001"
    assert reply.text == "Nice & useful! 加藤 健"
    scripted = parsed.notes[2]
    assert "<script> tags" in scripted.text  # an entity in the HTML is text, shown escaped by the page
    assert scripted.attachments == ["inventory.xlsx"] and scripted.edited_at is not None


def test_markdown_notes_read_front_matter_links_and_embeds():
    parsed = parse_export(note_samples.markdown_notes("2026-11"), "vault.zip")
    assert parsed.source == "markdown"
    assert len(parsed.notes) == 3 and parsed.skipped == 2  # .obsidian/app.json and chart.png
    minutes = next(n for n in parsed.notes if n.title == "議事録要約のプロンプト")
    assert minutes.meta["front_matter"]["tags"] == ["議事録", "要約"]
    assert minutes.meta["links"] == ["営業会議", "テンプレート集"]
    assert minutes.posted_at.date().isoformat() == "2026-11-06"
    assert minutes.author == "sato@sakura-mfg.example"
    assert minutes.raw.startswith("---\ntitle:")  # front matter kept in the raw note
    assert not minutes.text.startswith("---")
    report = next(n for n in parsed.notes if n.title == "Weekly report digest")
    assert report.attachments == ["chart.png"]
    assert "<script>alert('x')</script>" in report.text  # kept as text; the page escapes it


def test_one_markdown_file_is_a_note_too():
    parsed = parse_export("# 見積\n\n1時間→10分\n".encode(), "見積.md")
    assert parsed.source == "markdown" and parsed.notes[0].title == "見積"


def test_a_shift_jis_note_is_read():
    parsed = parse_export(zip_of({"notes/メモ.md": "# メモ\n\n助かった".encode("cp932")}), "n.zip")
    assert parsed.notes[0].text.endswith("助かった")


def test_slack_and_html_text_helpers():
    assert slack_plain_text("hi <@U1> &lt;b&gt; <!here>") == "hi @someone <b> @here"
    assert html_to_text("<p>a<br>b</p><script>evil()</script><ul><li>x</li></ul>") == "a\nb\n\n- x"


# --- bad input: a clear message, nothing partial ------------------------------------------------------------


def test_a_file_that_is_none_of_the_formats_is_refused():
    assert "not a Slack export" in refused(b"date,user\n2026-11-01,a\n", "usage.csv")


def test_a_zip_that_is_neither_slack_nor_markdown_is_refused():
    assert "neither a Slack export" in refused(zip_of({"report.pdf": b"%PDF"}))


def test_a_slack_export_with_a_missing_channel_folder_is_refused_naming_it():
    data = note_samples.slack_export(messages={"ai-use-cases/2026-11-04.json": []})
    assert "#random" in refused(data)


def test_malformed_json_names_the_file_and_line():
    files = {
        "channels.json": json.dumps([{"id": "C1", "name": "general"}]),
        "general/2026-11-01.json": '[{"ts": "1",\n oops]',
    }
    message = refused(zip_of(files))
    assert "general/2026-11-01.json" in message and "line 2" in message


def test_a_teams_document_that_is_not_a_list_of_messages_is_refused():
    assert "not a Teams channel export" in refused(b'{"value": 3}', "x.json")
    assert "no id or body" in refused(json.dumps([{"hello": 1}]).encode(), "x.json")


@pytest.mark.parametrize(
    "name", ["../evil.md", "notes/../../etc/passwd.md", "/abs/path.md", "C:/win.md", "a\\..\\b.md"]
)
def test_paths_that_leave_the_folder_are_refused(name):
    assert "leaves its folder" in refused(zip_of({"ok.md": "# ok", name: "# bad"}))


def test_a_symlink_member_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("notes/link.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert "symbolic link" in refused(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_of({"notes/a.md": b"\0" * (60 * 1024 * 1024)})  # 60 MB of zeros compress to ~60 KB
    assert len(bomb) < 200_000
    assert "zip bomb" in refused(bomb)


def test_a_file_over_the_limit_is_refused():
    assert "larger than" in refused(b"PK" + b"\0" * MAX_FILE_BYTES)


def test_invalid_front_matter_names_the_note():
    message = refused(zip_of({"n/bad.md": "---\ntitle: [unclosed\n---\nbody"}))
    assert "n/bad.md" in message and "YAML" in message


def test_a_corrupt_zip_is_refused():
    assert "not a readable zip" in refused(b"PK\x03\x04garbage")


# --- reading a draft out of a note ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("Try this:\n```text\nSummarise the thread\n```\nthanks", "Summarise the thread"),
        ("プロンプト: 以下の議事録を要約して\n\n結果は良好", "以下の議事録を要約して"),
        ("no prompt here", ""),
    ],
)
def test_extract_prompt(text, prompt):
    assert extract_prompt(text) == prompt


def test_split_prompt_leaves_the_rest_of_the_note():
    assert split_prompt("要約が速い\nプロンプト: 以下を要約して\n\n助かった") == (
        "要約が速い\n助かった",
        "以下を要約して",
    )
    assert split_prompt("Try:\n```\nSummarise\n```\nthanks") == ("Try:\n\nthanks", "Summarise")


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("ChatGPTで要約", "ChatGPT"),
        ("with GPT-4o today", "GPT-4o"),
        ("Claude 3.5 Sonnet", "Claude 3.5 Sonnet"),
        ("GitHub Copilot", "GitHub Copilot"),
        ("手作業", None),
    ],
)
def test_model_mentioned(text, model):
    assert model_mentioned(text) == model
