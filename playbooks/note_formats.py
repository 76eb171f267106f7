"""Reading the places clients already talk about AI wins into raw notes, without rewriting them.

Three formats, detected from the bytes:

* a Slack workspace export: a zip with ``channels.json``, ``users.json`` and one folder of daily JSON files
  per channel (threads, edits, file stubs, bot messages and joins as Slack writes them);
* a Microsoft Teams channel export: the JSON array of ``chatMessage`` objects Microsoft Graph returns (bare or
  as ``{"value": [...]}``), HTML bodies;
* Markdown notes: a zip of ``.md`` files (or one ``.md`` file), optional YAML front matter, ``[[links]]``.

Every reader returns all of a file's notes or raises :class:`NoteFormatError` with a message a person can act
on; nothing here touches the database, so a refused file can never leave half an import behind. Zips are read
in memory, never extracted; a member that escapes its folder (``../``, an absolute path, a symlink), a zip
whose members would unpack past :data:`MAX_UNPACKED`, or one that compresses suspiciously well is refused
before any member is read.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath

import yaml

from tenants.errors import N_, Message

MAX_FILE_BYTES = 50 * 1024 * 1024  # one upload (a year of a busy channel is a few MB of JSON)
MAX_UNPACKED = 200 * 1024 * 1024  # all members of a zip together, as declared and as read
MAX_MEMBER = 25 * 1024 * 1024  # one member
MAX_RATIO = 100  # uncompressed / compressed beyond this, for a member over 1 MB, is a bomb
MAX_MEMBERS = 20_000
MAX_NOTES = 200_000
MAX_NOTE_CHARS = 100_000  # Slack caps a message at 40,000 characters

SLACK, TEAMS, MARKDOWN = "slack", "teams", "markdown"
FORMAT_LABELS = {
    SLACK: N_("Slack workspace export"),
    TEAMS: N_("Microsoft Teams channel export"),
    MARKDOWN: N_("Markdown notes"),
}

# Slack subtypes that record something happening to a channel, not something a person said.
SLACK_SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "pinned_item",
        "unpinned_item",
        "bot_add",
        "bot_remove",
        "reminder_add",
        "tombstone",
        "message_deleted",
        "message_changed",
    }
)


class NoteFormatError(ValueError):
    """The file cannot be imported; ``message`` (a :class:`tenants.errors.Message`) says why and where."""

    def __init__(self, text: str, **params):
        self.message = Message(text, **params)
        super().__init__(text % params if params else text)


@dataclass
class RawNote:
    """One message or note as it came, plus a readable plain-text view of it."""

    external_id: str  # unique per account and source: re-importing finds it again
    channel: str
    posted_at: datetime
    raw: str  # exactly as exported (Slack mrkdwn, Teams HTML, Markdown with front matter)
    text: str  # readable plain text, for the page, search and the win rules
    author: str | None = None  # the exported identity; hashed before it is stored
    thread: str | None = None  # the thread it belongs to (its own id when it starts one)
    title: str = ""
    edited_at: datetime | None = None
    attachments: list[str] = field(default_factory=list)  # names only; files are not fetched
    meta: dict = field(default_factory=dict)


@dataclass
class ParsedExport:
    source: str  # SLACK / TEAMS / MARKDOWN
    notes: list[RawNote]
    skipped: int = 0  # joins, bot messages, system events, files that are not notes
    channels: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    def keep(self, note: RawNote | None) -> None:
        """Add a message a reader made (None: not a person's message, counted as skipped); an export that
        repeats a message (Slack writes a thread broadcast twice) keeps it once."""
        if note is None:
            self.skipped += 1
        elif note.external_id not in self._seen:
            self._seen.add(note.external_id)
            self.notes.append(note)


def parse_export(data: bytes, filename: str = "") -> ParsedExport:
    """Detect the format of ``data`` and read every note in it (NoteFormatError: refused, with the reason)."""
    if not data:
        raise NoteFormatError(N_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise NoteFormatError(N_("The file is larger than %(mb)d MB."), mb=MAX_FILE_BYTES // 2**20)
    if data[:2] == b"PK":
        members = _SafeZip(data)
        if members.find("channels.json") is not None:
            parsed = _parse_slack(members)
        elif members.markdown_names():
            parsed = _parse_markdown(members)
        else:
            raise NoteFormatError(
                N_(
                    "This zip is neither a Slack export (it has no channels.json) nor a folder of Markdown "
                    "notes (it has no .md files)."
                )
            )
    elif filename.lower().endswith((".md", ".markdown")):
        parsed = ParsedExport(MARKDOWN, [_markdown_note(PurePosixPath(filename).name, data, None)])
        parsed.channels = sorted({n.channel for n in parsed.notes})
    else:
        parsed = _parse_teams(data, filename)
    if len(parsed.notes) > MAX_NOTES:
        raise NoteFormatError(N_("The file holds more than %(n)d notes; split it."), n=MAX_NOTES)
    return parsed


# --- zips -------------------------------------------------------------------------------------------------


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in name.split("/"))


class _SafeZip:
    """A zip checked as a whole before any member is read; members are read in memory with a hard cap."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise NoteFormatError(N_("The file is not a readable zip archive.")) from None
        if len(infos) > MAX_MEMBERS:
            raise NoteFormatError(N_("The zip holds more than %(n)d files."), n=MAX_MEMBERS)
        declared = 0
        for info in infos:
            if _unsafe_name(info.filename):
                raise NoteFormatError(
                    N_("The zip contains a path that leaves its folder (%(name)s); nothing was imported."),
                    name=info.filename[:120],
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise NoteFormatError(
                    N_("The zip contains a symbolic link (%(name)s)."), name=info.filename[:120]
                )
            if info.flag_bits & 0x1:
                raise NoteFormatError(N_("The zip is encrypted; export it again without a password."))
            declared += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if declared > MAX_UNPACKED or (info.file_size > 2**20 and ratio > MAX_RATIO):
                raise NoteFormatError(
                    N_("The zip would unpack to far more than it holds (a zip bomb?); nothing was imported.")
                )
        self.infos = {i.filename: i for i in infos if not i.is_dir()}
        self.read_total = 0

    def find(self, basename: str) -> str | None:
        """The shallowest member called ``basename`` (exports are often zipped with their folder)."""
        hits = [n for n in self.infos if PurePosixPath(n).name == basename and "__MACOSX" not in n]
        return min(hits, key=lambda n: n.count("/")) if hits else None

    def names(self) -> list[str]:
        return list(self.infos)

    def markdown_names(self) -> list[str]:
        return sorted(
            n
            for n in self.infos
            if n.lower().endswith((".md", ".markdown"))
            and not any(p.startswith(".") or p == "__MACOSX" for p in n.split("/"))
        )

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        try:
            with self.zip.open(info) as member:
                data = member.read(MAX_MEMBER + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise NoteFormatError(N_("%(name)s in the zip cannot be read."), name=name[:120]) from None
        self.read_total += len(data)
        if len(data) > MAX_MEMBER or self.read_total > MAX_UNPACKED:
            raise NoteFormatError(
                N_("The zip would unpack to far more than it holds (a zip bomb?); nothing was imported.")
            )
        return data

    def json(self, name: str):
        return _load_json(self.read(name), name)


def _load_json(data: bytes, name: str):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NoteFormatError(N_("%(name)s is not UTF-8 text."), name=name[:120]) from None
    except json.JSONDecodeError as error:
        raise NoteFormatError(
            N_("%(name)s is not valid JSON (line %(line)d, column %(column)d: %(reason)s)."),
            name=name[:120],
            line=error.lineno,
            column=error.colno,
            reason=error.msg,
        ) from None
    except RecursionError:
        raise NoteFormatError(
            N_("%(name)s is nested too deeply to be a chat export."), name=name[:120]
        ) from None


def _check_length(text: str, where: str) -> str:
    if len(text) > MAX_NOTE_CHARS:
        raise NoteFormatError(
            N_("A message in %(name)s is longer than %(n)d characters."), name=where[:120], n=MAX_NOTE_CHARS
        )
    return text


# --- Slack ------------------------------------------------------------------------------------------------

_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def slack_plain_text(text: str) -> str:
    """Slack's markup made readable: ``<@U1>`` -> @someone, ``<url|label>`` -> label (url), &amp; -> &."""

    def link(match: re.Match) -> str:
        target, label = match[1], match[2]
        if target.startswith("@"):
            return "@" + (label or "someone")
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} ({target})" if label and label != target else target

    return _SLACK_LINK.sub(link, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _slack_time(value, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise NoteFormatError(
            N_("%(name)s has a message without a valid timestamp."), name=where[:120]
        ) from None


def _slack_users(members: _SafeZip, root: str) -> dict[str, str]:
    """Slack user id -> the identity that is hashed: the email where the export has it, else the id."""
    name = f"{root}users.json"
    if name not in members.infos:
        return {}
    users = members.json(name)
    if not isinstance(users, list):
        raise NoteFormatError(N_("%(name)s is not a list of users."), name=name)
    identities = {}
    for user in users:
        if isinstance(user, dict) and isinstance(user.get("id"), str):
            profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
            email = profile.get("email")
            identities[user["id"]] = email if isinstance(email, str) and email else f"slack:{user['id']}"
    return identities


def _parse_slack(members: _SafeZip) -> ParsedExport:
    channels_name = members.find("channels.json")
    root = channels_name[: -len("channels.json")]
    channels = members.json(channels_name)
    if not isinstance(channels, list) or not all(
        isinstance(c, dict) and isinstance(c.get("name"), str) for c in channels
    ):
        raise NoteFormatError(N_("channels.json is not a list of channels with names."))
    users = _slack_users(members, root)
    names = members.names()
    parsed = ParsedExport(SLACK, [])
    for channel in channels:
        folder = f"{root}{channel['name']}/"
        days = sorted(
            n
            for n in names
            if n.startswith(folder) and n.endswith(".json") and n.count("/") == folder.count("/")
        )
        if not days:
            raise NoteFormatError(
                N_(
                    "The export lists channel #%(channel)s but has no folder of messages for it; export the "
                    "workspace again, or remove the channel from channels.json."
                ),
                channel=channel["name"][:80],
            )
        parsed.channels.append(channel["name"])
        for day in days:
            messages = members.json(day)
            if not isinstance(messages, list):
                raise NoteFormatError(N_("%(name)s is not a list of messages."), name=day[:120])
            for message in messages:
                parsed.keep(_slack_note(message, channel, users, day))
    return parsed


def _slack_note(message, channel: dict, users: dict[str, str], where: str) -> RawNote | None:
    """One person's message, or None for joins, bots and other channel events."""
    if not isinstance(message, dict) or message.get("type", "message") != "message":
        return None
    subtype = message.get("subtype")
    if (
        subtype in SLACK_SYSTEM_SUBTYPES
        or subtype == "bot_message"
        or (message.get("bot_id") and not message.get("user"))
    ):
        return None
    ts = message.get("ts")
    posted_at = _slack_time(ts, where)
    raw = message.get("text") if isinstance(message.get("text"), str) else ""
    files = message.get("files") if isinstance(message.get("files"), list) else []
    attachments = [str(f.get("name") or f.get("title") or "")[:255] for f in files if isinstance(f, dict)]
    attachments = [a for a in attachments if a]
    if not raw.strip() and not attachments:
        return None
    edited = message.get("edited") if isinstance(message.get("edited"), dict) else {}
    thread_ts = message.get("thread_ts")
    user = message.get("user")
    return RawNote(
        external_id=f"slack:{channel.get('id') or channel['name']}:{ts}",
        channel=channel["name"][:120],
        posted_at=posted_at,
        raw=_check_length(raw, where),
        text=slack_plain_text(raw),
        author=users.get(user, f"slack:{user}") if isinstance(user, str) else None,
        thread=str(thread_ts) if thread_ts else None,
        edited_at=_slack_time(edited["ts"], where) if edited.get("ts") else None,
        attachments=attachments,
        meta={k: message[k] for k in ("subtype", "reply_count") if message.get(k) is not None},
    )


# --- Teams ------------------------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """Text of an HTML body: block elements become line breaks, <pre>/<code> blocks become fenced blocks
    (so a shared prompt reads as one), scripts and styles are dropped; nothing is ever rendered."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("pre", "codeblock"):
            self.out.append("\n```\n")
        elif tag in self.BLOCKS:
            self.out.append("\n- " if tag == "li" else "\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("pre", "codeblock"):
            self.out.append("\n```\n")
        elif tag in ("p", "div", "blockquote", "tr"):
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML message body."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out).replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _iso_time(value, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise NoteFormatError(N_("%(name)s has a message without a valid date."), name=where[:120]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_teams(data: bytes, filename: str) -> ParsedExport:
    if data.lstrip()[:1] not in (b"[", b"{") and not data.startswith(b"\xef\xbb\xbf"):
        raise NoteFormatError(
            N_(
                "This file is not a Slack export (a .zip), a Microsoft Teams channel export (.json) or "
                "Markdown notes (.md or a .zip of them)."
            )
        )
    name = PurePosixPath(filename or "teams.json").name
    document = _load_json(data, name)
    messages = document.get("value") if isinstance(document, dict) else document
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise NoteFormatError(
            N_("%(name)s is JSON but not a Teams channel export (a list of chatMessage objects)."), name=name
        )
    channel = PurePosixPath(name).stem[:120] or "teams"
    parsed = ParsedExport(TEAMS, [], channels=[channel])
    for index, message in enumerate(_with_replies(messages)):
        if not message.get("id") or "body" not in message:
            raise NoteFormatError(
                N_("Message %(n)d of %(name)s has no id or body: is this a Teams channel export?"),
                n=index + 1,
                name=name,
            )
        parsed.keep(_teams_note(message, channel, name))
    return parsed


def _with_replies(messages: list[dict]):
    for message in messages:
        yield message
        replies = message.get("replies")
        if isinstance(replies, list):
            yield from (r for r in replies if isinstance(r, dict))


def _teams_note(message: dict, channel: str, where: str) -> RawNote | None:
    if message.get("messageType", "message") != "message" or message.get("deletedDateTime"):
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    user = sender.get("user") if isinstance(sender.get("user"), dict) else None
    if user is None:  # an application or bot posted it
        return None
    body = message.get("body") if isinstance(message.get("body"), dict) else {}
    raw = body.get("content") if isinstance(body.get("content"), str) else ""
    is_html = str(body.get("contentType", "html")).lower() == "html"
    attachments = [
        str(a.get("name"))[:255]
        for a in message.get("attachments") or []
        if isinstance(a, dict) and a.get("name")
    ]
    text = html_to_text(raw) if is_html else raw
    if not text.strip() and not attachments:
        return None
    identity = message.get("channelIdentity") if isinstance(message.get("channelIdentity"), dict) else {}
    message_id = str(message["id"])
    reply_to = message.get("replyToId")
    edited = message.get("lastEditedDateTime")
    return RawNote(
        external_id=f"teams:{identity.get('channelId') or channel}:{message_id}"[:255],
        channel=channel,
        posted_at=_iso_time(message.get("createdDateTime"), where),
        raw=_check_length(raw, where),
        text=text,
        author=f"teams:{user.get('id') or user.get('displayName') or 'unknown'}",
        thread=str(reply_to or message_id),
        title=str(message.get("subject") or "")[:200],
        edited_at=_iso_time(edited, where) if edited else None,
        attachments=attachments,
        meta={"content_type": "html" if is_html else "text"},
    )


# --- Markdown ---------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_WIKI_LINK = re.compile(r"(!?)\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]")
_EMBED = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
_HEADING = re.compile(r"^#\s+(.+)$", re.M)


def _decode_text(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoteFormatError(N_("%(name)s is not UTF-8 (or Shift_JIS) text."), name=name[:120])


def _front_matter(text: str, name: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match[1]) or {}
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        # ValueError/TypeError: well-formed YAML with a value Python cannot hold (date: 0000-01-01).
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 2
        raise NoteFormatError(
            N_("The front matter of %(name)s is not valid YAML (line %(line)d)."), name=name[:120], line=line
        ) from None
    if not isinstance(meta, dict):
        raise NoteFormatError(
            N_("The front matter of %(name)s is not a set of key: value lines."), name=name[:120]
        )
    return json.loads(json.dumps(meta, default=str)), text[match.end() :]


def _meta_time(value, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return fallback
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return fallback


def _markdown_note(path: str, data: bytes, modified: datetime | None) -> RawNote:
    raw = _check_length(_decode_text(data, path), path)
    meta, body = _front_matter(raw, path)
    folder = str(PurePosixPath(path).parent)
    heading = _HEADING.search(body)
    title = meta.get("title") or (heading[1].strip() if heading else PurePosixPath(path).stem)
    links = [target.strip() for embed, target in _WIKI_LINK.findall(body) if not embed]
    attachments = [t.strip() for embed, t in _WIKI_LINK.findall(body) if embed] + _EMBED.findall(body)
    author = meta.get("author")
    when = meta.get("date") or meta.get("created") or meta.get("created_at")
    digest = hashlib.sha256(data).hexdigest()[:16]
    return RawNote(
        external_id=f"md:{path}:{digest}"[:255],
        channel=(folder if folder not in (".", "") else "notes")[:120],
        posted_at=_meta_time(when, modified or datetime.now(UTC)),
        raw=raw,
        text=body.strip(),
        author=str(author) if author else None,
        title=str(title)[:200],
        attachments=[a[:255] for a in attachments],
        meta={"path": path, "front_matter": meta, "links": links},
    )


def _parse_markdown(members: _SafeZip) -> ParsedExport:
    parsed = ParsedExport(MARKDOWN, [])
    names = members.markdown_names()
    parsed.skipped = len(members.names()) - len(names)
    for name in names:
        info = members.infos[name]
        try:
            modified = datetime(*info.date_time, tzinfo=UTC)
        except ValueError:
            modified = None
        parsed.notes.append(_markdown_note(name, members.read(name), modified))
    parsed.channels = sorted({n.channel for n in parsed.notes})
    return parsed
