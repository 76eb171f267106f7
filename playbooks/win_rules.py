"""Does a chat message or note look like an AI win? The rules, in one place, with the reason shown.

A raw note is flagged when it states a before/after time ("30分→5分", "2時間かかっていたのが10分",
"from 2 hours to 10 minutes"), carries a prompt (a fenced block or a "Prompt:" line), or says it helped
("使えた", "助かった", "saved me"). Flags are hints for a champion, who decides; nothing is rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tenants.errors import N_

UNIT_MINUTES = {
    "分": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "時間": 60,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
}
_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"(分|時間|minutes?|mins?|hours?|hrs?|h)"
BEFORE_AFTER = [
    # 30分→5分, 2時間 -> 10分, 30 min => 5 min
    re.compile(rf"{_NUM}\s*{_UNIT}\s*(?:→|->|=>|⇒|から)\s*{_NUM}\s*{_UNIT}", re.I),
    # 2時間かかっていたのが10分 / 2時間かかっていた週報の集計がCopilotで15分で
    re.compile(rf"{_NUM}\s*{_UNIT}(?:も)?かかって(?:い)?た[^0-9。\n]{{0,30}}?{_NUM}\s*{_UNIT}"),
    # from 2 hours to 10 minutes
    re.compile(rf"from\s+{_NUM}\s*{_UNIT}\s+(?:down\s+)?to\s+{_NUM}\s*{_UNIT}", re.I),
    # took 30 minutes, now 5 minutes
    re.compile(rf"took\s+{_NUM}\s*{_UNIT}.{{0,20}}?now\s+{_NUM}\s*{_UNIT}", re.I),
]
PROMPT = re.compile(r"```|^\s*(?:プロンプト|prompt)\s*[:：]", re.I | re.M)
HELPED = re.compile(
    r"使えた|使える|助かった|助かる|時短|楽になった|効率化|便利|saved\s+(?:me|us|time|\d)|game[- ]changer|"
    r"works?\s+(?:great|well)|huge\s+help",
    re.I,
)


@dataclass(frozen=True)
class WinReason:
    kind: str  # before_after / prompt / helped
    text: str  # what matched, shown to the champion
    minutes_before: float | None = None
    minutes_after: float | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]


LABELS = {
    "before_after": N_("States a time before and after"),
    "prompt": N_("Contains a prompt"),
    "helped": N_("Says the AI helped"),
}


def _minutes(number: str, unit: str) -> float:
    return float(number) * UNIT_MINUTES[unit.lower()]


def win_reasons(text: str) -> list[WinReason]:
    """Every rule ``text`` meets (empty: not a win as far as the rules can tell)."""
    text = unicodedata.normalize("NFKC", text or "")
    reasons = []
    for pattern in BEFORE_AFTER:
        if match := pattern.search(text):
            before, after = _minutes(match[1], match[2]), _minutes(match[3], match[4])
            if after < before:  # "5分→30分" is not a saving
                reasons.append(WinReason("before_after", match[0], before, after))
                break
    if match := PROMPT.search(text):
        # Show the prompt itself (its start), not the fence or label that found it.
        shared = " ".join(extract_prompt(text).split())
        shown = shared[:80] + "…" if len(shared) > 80 else shared
        reasons.append(WinReason("prompt", shown or match[0].strip()))
    if match := HELPED.search(text):
        reasons.append(WinReason("helped", match[0]))
    return reasons


# --- reading a draft out of a note (the same rules file: what counts as a prompt is decided once) ---------

_FENCED = re.compile(r"```[^\n`]*\n?(.*?)```", re.S)
_PROMPT_LINE = re.compile(r"^\s*(?:プロンプト|prompt)\s*[:：]\s*(.*)", re.I | re.M | re.S)
MODEL_NAMES = re.compile(
    r"(?<![A-Za-z0-9])(GPT-?[45](?:\.\d)?o?(?:[- ]mini)?|ChatGPT|"
    r"Claude(?: \d(?:\.\d)?)?(?: (?:Opus|Sonnet|Haiku))?|"
    r"(?:GitHub |Microsoft 365 |M365 )?Copilot|Gemini(?: \d(?:\.\d)?)?(?: (?:Pro|Flash))?|"
    r"o[134](?:-mini)?)(?![A-Za-z0-9])",
    re.I,
)


def split_prompt(text: str) -> tuple[str, str]:
    """(the text without its prompt, the prompt). The prompt is the first fenced block, else what follows a
    "Prompt:" line up to a blank line; ("text", "") when the note shares none."""
    text = text or ""
    if match := _FENCED.search(text):
        return (text[: match.start()] + text[match.end() :]).strip(), match[1].strip()
    if match := _PROMPT_LINE.search(text):
        prompt, _, after = match[1].partition("\n\n")
        return (text[: match.start()] + after).strip(), prompt.strip()
    return text.strip(), ""


def extract_prompt(text: str) -> str:
    """The prompt a note shares (see :func:`split_prompt`); empty when it shares none."""
    return split_prompt(text)[1]


def model_mentioned(text: str) -> str | None:
    """The AI model a note names, as written (GPT-4o, Claude, Copilot, Gemini...), or None."""
    match = MODEL_NAMES.search(unicodedata.normalize("NFKC", text or ""))
    return match[1] if match else None
