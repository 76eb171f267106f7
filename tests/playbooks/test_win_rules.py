"""The win rules on a table of Japanese and English messages (pure)."""

import pytest

from playbooks.win_rules import win_reasons

CASES = [
    ("議事録の要約、30分→5分になった！助かる", {"before_after", "helped"}, (30, 5)),
    ("2時間かかっていたのが10分で終わった", {"before_after"}, (120, 10)),
    ("2時間かかっていた週報の集計がCopilotで15分で終わった", {"before_after"}, (120, 15)),
    ("毎日30分かかっていた。明日は10分の会議", set(), None),  # two sentences: not one before/after
    ("見積書のチェック、1時間から15分に短縮", {"before_after"}, (60, 15)),
    ("Drafting the weekly report went from 2 hours to 10 minutes", {"before_after"}, (120, 10)),
    ("It took 45 minutes before, now 5 minutes with Copilot", {"before_after"}, (45, 5)),
    ("プロンプト: 以下の稟議書を要約して", {"prompt"}, None),
    ("Try this:\n```\nSummarise the thread below\n```", {"prompt"}, None),
    ("これは本当に助かった", {"helped"}, None),
    ("This saved me an afternoon", {"helped"}, None),
    ("5分→30分に増えた…", set(), None),  # longer afterwards: not a saving
    ("明日の会議は15時からです", set(), None),
    ("Lunch at 12?", set(), None),
]


@pytest.mark.parametrize(("text", "kinds", "minutes"), CASES)
def test_win_rules(text, kinds, minutes):
    reasons = win_reasons(text)
    assert {r.kind for r in reasons} == kinds
    if minutes:
        saving = next(r for r in reasons if r.kind == "before_after")
        assert (saving.minutes_before, saving.minutes_after) == minutes
        assert saving.text  # the matched words are shown to the champion
