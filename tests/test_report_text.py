"""Student-controlled text made safe for each sink: UTF-8 files, the terminal, HTML."""

from __future__ import annotations

import pytest

from grader.reports import text

HOSTILE = (
    "bad \ud800 byte, \x1b[2J\x1b[31mred\x1b[0m, \x1b]0;title\x07, \x1b]8;;http://x\x1b\\link, "
    "bell\x07, <b>bold</b> & 'quote', \u202eesrever, \x9b2J, line\nbreak\r\nwindows\rreturn"
)


def test_encodable_replaces_lone_surrogates_and_joins_pairs() -> None:
    assert text.encodable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert text.encodable("\ud83d\ude00") == "\U0001f600"  # a pair split in two is one character
    assert text.encodable("plain é 😀") == "plain é 😀"
    text.encodable(HOSTILE).encode("utf-8")  # raises if anything unencodable is left


@pytest.mark.parametrize("sink", [text.printable, text.for_terminal, text.for_html])
def test_no_sink_keeps_an_escape_sequence_or_a_control_character(sink) -> None:
    safe = sink(HOSTILE)
    safe.encode("utf-8")
    assert not [c for c in safe if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F], repr(safe)
    assert "\u202e" not in safe and "[31m" not in safe and "title" not in safe  # an OSC is a command
    assert "red" in safe and "link" in safe and "esrever" in safe


def test_terminal_text_is_one_line() -> None:
    assert text.for_terminal("a\nb\r\nc\rd\te\u2028f") == "a b c d e f"
    assert "\n" not in text.for_terminal(HOSTILE)


def test_html_text_is_escaped() -> None:
    assert text.for_html("<script>alert('x')</script> & \"q\"") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
    )
    assert "<b>" not in text.for_html(HOSTILE)


def test_text_that_needs_nothing_is_unchanged() -> None:
    message = "GSI StatusDateIndex projects KEYS_ONLY; expected ALL. Recreate it (über-wichtig ✓)."
    assert text.printable(message) == text.for_terminal(message) == message
