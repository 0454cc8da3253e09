"""Student-controlled text made safe for each sink it is written to: one function per sink.

A check's message may quote the student's own output (an exception message, a printed line), so it
can hold anything: ANSI escape sequences, control characters, bidirectional overrides, or a lone
surrogate that no encoder accepts. Each writer passes such text through the function for its sink;
none of them ever raises on text.
"""

from __future__ import annotations

import re
from html import escape

ANSI_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # the other two-character escapes
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls except tab and newline, and the marks that reorder displayed text."""
LINE_BREAKS = re.compile(r"[\t\n\u2028\u2029]+")
MESSAGE_CAP = 2000
"""Characters of a check's message: enough for expected, found and fix, never a student's megabytes."""


def encodable(text: str) -> str:
    """The text with every character UTF-8 can encode: surrogate pairs joined, lone surrogates
    (from a student's undecodable bytes) replaced by U+FFFD. For any file written as UTF-8."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def capped(text: str, limit: int = MESSAGE_CAP) -> str:
    """The text cut to at most `limit` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    kept = limit - 40  # room for the note
    return f"{text[:kept]} [... {len(text) - kept} more characters]"


def printable(text: str) -> str:
    """Encodable text without escape sequences or control characters (tabs and newlines kept, a
    carriage return made a newline)."""
    text = ANSI_ESCAPE.sub("", encodable(text)).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def for_terminal(text: str) -> str:
    """One printable line: a student's text can neither colour, move the cursor nor start a line."""
    return LINE_BREAKS.sub(" ", printable(text))


def for_html(text: str) -> str:
    """Printable text escaped for an HTML element or a quoted attribute."""
    return escape(printable(text))


MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark shows each one literally once backslash-escaped."""


def for_markdown(text: str) -> str:
    """One line of literal Markdown text: no emphasis, link, image, HTML, table cell break, heading,
    list or autolink can start from a student's text."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", for_terminal(text))
