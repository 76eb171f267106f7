"""Text rules (pure): what can be stored, what is invisible, when two names are the same."""

from tenants.text import BIDI, LINE_BREAK, UNSTORABLE, clean_name, name_key, text_problem


def test_nul_and_control_characters_cannot_be_stored():
    assert text_problem("Acme\x00") == UNSTORABLE
    assert text_problem("Acme\x1b[31m") == UNSTORABLE
    assert text_problem("株式会社さくら\tA") is None


def test_line_breaks_only_in_multiline_text():
    assert text_problem("Acme\r\nBcc: x@evil.example") == LINE_BREAK
    assert text_problem("Acme\u2028Inc") == LINE_BREAK
    assert text_problem("line one\r\nline two", multiline=True) is None


def test_bidi_overrides_are_refused():
    assert text_problem("invoice\u202egpj.exe") == BIDI
    assert text_problem("\u2067Acme\u2069") == BIDI


def test_zero_width_characters_are_dropped_from_names():
    assert clean_name("Ac\u200bme\u200d  K\ufeffK ") == "Acme KK"


def test_names_compare_without_case_width_or_invisible_characters():
    assert name_key("ÄBC") == name_key("äbc") == name_key("A\u0308BC")
    assert name_key("ＡＢＣ 株式会社") == name_key("abc  株式会社")
    assert name_key("Sales\u200b") == name_key("sales")
    assert name_key("営業部") != name_key("営業一部")
