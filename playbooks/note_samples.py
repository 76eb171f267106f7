# ruff: noqa: E501 - sample data reads best one message a line
"""Sample exports in the shapes the real tools write them, for the demo, the tests and the import page.

The Slack export has the workspace files (channels.json, users.json), one folder per channel with a JSON file
per day, threads (``thread_ts``, ``reply_count``), an edited message, a file stub, a bot post and a join. The
Teams export is what Microsoft Graph returns for a channel's messages (``{"value": [chatMessage...]}``) with
HTML bodies, a reply, a system event and a bot card. The Markdown notes have YAML front matter and
Obsidian-style ``[[links]]``. Each mixes messages the win rules flag with ordinary chat, in Japanese and English.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta


def _ts(day: str, hh: int, mm: int, seq: int = 0) -> str:
    moment = datetime.fromisoformat(f"{day}T{hh:02d}:{mm:02d}:00+09:00")
    return f"{moment.timestamp():.0f}.{seq:06d}"


def _zip(files: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = (
                content
                if isinstance(content, bytes | str)
                else json.dumps(content, ensure_ascii=False, indent=1)
            )
            archive.writestr(name, data)
    return buffer.getvalue()


SLACK_USERS = [
    {
        "id": "U01AAA",
        "name": "sato",
        "real_name": "佐藤 花子",
        "profile": {"email": "sato@sakura-mfg.example"},
    },
    {
        "id": "U01BBB",
        "name": "tanaka",
        "real_name": "田中 一郎",
        "profile": {"email": "tanaka@sakura-mfg.example"},
    },
    {
        "id": "U01CCC",
        "name": "emily",
        "real_name": "Emily Clark",
        "profile": {"email": "emily@sakura-mfg.example"},
    },
    {"id": "B01BOT", "name": "standup-bot", "is_bot": True, "profile": {}},
]


def slack_messages(month: str = "2026-11") -> dict[str, list[dict]]:
    """Daily files of the two channels, keyed by path inside the export."""
    d1, d2, d3 = f"{month}-04", f"{month}-11", f"{month}-18"
    parent = _ts(d1, 10, 2)
    return {
        f"ai-use-cases/{d1}.json": [
            {
                "type": "message",
                "subtype": "channel_join",
                "user": "U01CCC",
                "text": "<@U01CCC> has joined the channel",
                "ts": _ts(d1, 9, 0),
            },
            {
                "type": "message",
                "user": "U01AAA",
                "text": "議事録の要約をChatGPTに任せたら30分→5分になりました！\nプロンプト: 以下の会議メモを、決定事項・宿題・期限の表にまとめて",
                "ts": parent,
                "thread_ts": parent,
                "reply_count": 2,
                "reply_users": ["U01BBB", "U01CCC"],
            },
            {
                "type": "message",
                "user": "U01BBB",
                "text": "これは助かる。営業会議でも使えそう",
                "ts": _ts(d1, 10, 15),
                "thread_ts": parent,
                "parent_user_id": "U01AAA",
            },
            {
                "type": "message",
                "user": "U01CCC",
                "text": "Trying it on our weekly ops sync tomorrow :+1:",
                "ts": _ts(d1, 10, 40),
                "thread_ts": parent,
                "parent_user_id": "U01AAA",
            },
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "B01BOT",
                "username": "standup-bot",
                "text": "Daily standup: 3 answers",
                "ts": _ts(d1, 11, 0),
            },
        ],
        f"ai-use-cases/{d2}.json": [
            {
                "type": "message",
                "user": "U01CCC",
                "text": "Drafting supplier emails with Claude went from 2 hours to 10 minutes. Prompt I use:\n```\nYou are a procurement assistant. Draft a polite email to &lt;supplier&gt; asking for a revised quote by Friday.\n```",
                "ts": _ts(d2, 14, 5),
                "edited": {"user": "U01CCC", "ts": _ts(d2, 14, 9)},
            },
            {
                "type": "message",
                "subtype": "file_share",
                "user": "U01BBB",
                "text": "見積チェックの手順をまとめました",
                "ts": _ts(d2, 16, 30),
                "files": [
                    {
                        "id": "F01",
                        "name": "見積チェック手順.pdf",
                        "title": "見積チェック手順",
                        "mimetype": "application/pdf",
                    }
                ],
            },
            {
                "type": "message",
                "user": "U01AAA",
                "text": "See <https://example.com/guide|the guide> and ask <#C02RAND|random> &amp; me",
                "ts": _ts(d2, 17, 0),
            },
        ],
        f"random/{d3}.json": [
            {"type": "message", "user": "U01BBB", "text": "明日の会議は15時からです", "ts": _ts(d3, 9, 30)},
            {
                "type": "message",
                "user": "U01AAA",
                "text": "2時間かかっていた週報の集計がCopilotで15分で終わった",
                "ts": _ts(d3, 18, 0),
            },
            {
                "type": "message",
                "subtype": "channel_purpose",
                "user": "U01AAA",
                "text": "set the channel purpose",
                "ts": _ts(d3, 18, 5),
            },
        ],
    }


def slack_export(month: str = "2026-11", *, messages: dict[str, list[dict]] | None = None) -> bytes:
    """A Slack workspace export zip (standard export: public channels)."""
    files: dict[str, object] = {
        "channels.json": [
            {
                "id": "C01AIUC",
                "name": "ai-use-cases",
                "created": 1700000000,
                "members": ["U01AAA", "U01BBB", "U01CCC"],
            },
            {"id": "C02RAND", "name": "random", "created": 1700000000, "members": ["U01AAA", "U01BBB"]},
        ],
        "users.json": SLACK_USERS,
        "integration_logs.json": [],
    }
    files.update(messages if messages is not None else slack_messages(month))
    return _zip(files)


def teams_export(month: str = "2026-11") -> bytes:
    """A Teams channel's messages as Microsoft Graph returns them (GET /teams/{id}/channels/{id}/messages)."""
    channel = {"teamId": "f1e2d3c4-0000-4000-8000-00000000aaaa", "channelId": "19:abc123@thread.tacv2"}

    def message(mid, created, user, html, reply_to=None, **extra):
        return {
            "id": mid,
            "replyToId": reply_to,
            "etag": mid,
            "messageType": "message",
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "lastEditedDateTime": None,
            "deletedDateTime": None,
            "subject": None,
            "importance": "normal",
            "locale": "en-us",
            "from": {
                "application": None,
                "device": None,
                "user": {"id": user[0], "displayName": user[1], "userIdentityType": "aadUser"},
            },
            "body": {"contentType": "html", "content": html},
            "channelIdentity": channel,
            "attachments": [],
            "mentions": [],
            "reactions": [],
            **extra,
        }

    kato = ("8ea0e38b-0000-4000-8000-000000000001", "加藤 健")
    lee = ("8ea0e38b-0000-4000-8000-000000000002", "Jordan Lee")
    values = [
        message(
            "1730700000001",
            f"{month}-05T01:15:00.000Z",
            kato,
            "<p>稟議書のドラフトを<b>Copilot</b>で作成。1時間→15分に短縮できました。</p><pre>以下の要件で稟議書の下書きを作成して: 目的、費用、効果</pre>",
            subject="稟議書ドラフト",
        ),
        message(
            "1730700000002",
            f"{month}-05T02:00:00.000Z",
            lee,
            '<p>Nice &amp; useful! <at id="0">加藤 健</at></p>',
            reply_to="1730700000001",
        ),
        message(
            "1730700000003",
            f"{month}-12T05:30:00.000Z",
            lee,
            '<div>Used GPT-4o to clean up the inventory sheet &lt;script&gt; tags and all. <img alt="screenshot" src="https://graph.microsoft.com/x"></div>',
            lastEditedDateTime=f"{month}-12T05:35:00.000Z",
            attachments=[
                {
                    "id": "a1",
                    "contentType": "reference",
                    "contentUrl": "https://contoso.sharepoint.com/x.xlsx",
                    "name": "inventory.xlsx",
                }
            ],
        ),
        message("1730700000004", f"{month}-19T03:00:00.000Z", kato, "<p>来週の定例はお休みです</p>"),
        {
            "id": "1730700000005",
            "messageType": "systemEventMessage",
            "createdDateTime": f"{month}-19T03:10:00.000Z",
            "from": None,
            "body": {"contentType": "html", "content": "<systemEventMessage/>"},
            "eventDetail": {"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail"},
        },
        {
            **message(
                "1730700000006", f"{month}-20T00:00:00.000Z", kato, '<attachment id="card"></attachment>'
            ),
            "from": {
                "application": {"id": "app-1", "displayName": "Polly", "applicationIdentityType": "bot"},
                "device": None,
                "user": None,
            },
        },
    ]
    return json.dumps(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams('x')/channels('y')/messages",
            "@odata.count": len(values),
            "value": values,
        },
        ensure_ascii=False,
        indent=1,
    ).encode()


def markdown_notes(month: str = "2026-11") -> bytes:
    """A zip of a notes vault: front matter, [[links]], an embedded image, a .obsidian folder to ignore."""
    return _zip(
        {
            "ai-notes/議事録要約.md": (
                f"---\ntitle: 議事録要約のプロンプト\ndate: {month}-06\nauthor: sato@sakura-mfg.example\ntags: [議事録, 要約]\n---\n"
                "# 議事録要約\n\n会議メモの整理に毎回45分かかっていたのが10分になった。\n\n"
                "```\n以下のメモを決定事項・宿題・期限に分けて表にしてください\n```\n\n関連: [[営業会議]] [[テンプレート集|テンプレ]]\n"
            ),
            "ai-notes/weekly-report.md": (
                f"---\ntitle: Weekly report digest\ncreated: {month}-13T09:00:00\n---\n"
                "Copilot drafts the weekly report from the ticket export. Saved me about an hour.\n\n![[chart.png]]\n"
                "<script>alert('x')</script>\n"
            ),
            "ai-notes/ideas.md": "# Ideas\n\n- try summarising customer calls\n- [[議事録要約]] for sales\n",
            "ai-notes/.obsidian/app.json": "{}",
            "ai-notes/chart.png": b"\x89PNG\r\n\x1a\n",
        }
    )


SAMPLES = {
    "slack": ("slack-export.zip", slack_export),
    "teams": ("teams-channel.json", teams_export),
    "markdown": ("notes.zip", markdown_notes),
}


def sample(kind: str, month: str | None = None) -> tuple[str, bytes]:
    """(filename, bytes) of a sample export; ``month`` (YYYY-MM) dates its messages (default: last month, so
    no sample message lies in the future)."""
    filename, build = SAMPLES[kind]
    if month is None:
        first = datetime.now(UTC).date().replace(day=1)
        month = (first - timedelta(days=1)).strftime("%Y-%m")
    return filename, build(month)
