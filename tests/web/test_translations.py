"""Japanese is first class: every message the code and templates use has a Japanese translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None}
METHODS = [
    ("app/**.py", "python"),
    ("tenants/**.py", "python"),
    ("playbooks/**.py", "python"),
    ("reports/**.py", "python"),
    ("app/templates/**.html", "jinja2"),
    ("reports/templates/**.html", "jinja2"),
]


def used_messages() -> set[str]:
    found = set()
    for message in extract_from_dir(
        str(ROOT),
        METHODS,
        keywords=KEYWORDS,
        directory_filter=lambda d: ".venv" not in d and "tests" not in d,
    ):
        text = message[2]
        found.add(text if isinstance(text, str) else text[0])
    return found


def test_every_message_has_a_japanese_translation():
    with open(ROOT / "app/translations/ja/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(used_messages() - translated)
    assert not missing, "run pybabel extract/update (see README) and translate:\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    with open(ROOT / "app/translations/ja/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    import re

    for message in catalog:
        if message.id and message.string:
            assert set(re.findall(r"%\(\w+\)[sd]", message.id)) == set(
                re.findall(r"%\(\w+\)[sd]", message.string)
            ), message.id
