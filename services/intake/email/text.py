"""Text of a message: HTML sanitised and converted to text, and the text's parts marked.

A message keeps everything the citizen sent; signatures, quoted history and forwarded messages
are *marked* (``sections``: ``{"kind", "start", "end"}`` character offsets into the text, kinds
``message``, ``signature``, ``quoted``, ``forwarded``) so the agent's view can fold them away.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# No images at all (remote images are trackers; inline ones arrive as attachments), no scripts.
_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
_BLOCKS = frozenset(
    "p div li tr table ul ol h1 h2 h3 h4 h5 h6 blockquote hr pre section article header footer "
    "dl dt dd figure figcaption caption details summary".split()
)


def sanitize_html(html: str) -> str:
    """HTML safe to show an agent: no scripts, styles, event handlers, images or foreign schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_PARAGRAPHS = frozenset("p h1 h2 h3 h4 h5 h6 ul ol table blockquote pre dl".split())


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._depth = 0  # blockquote nesting: quoted history in HTML mail
        self._href: str | None = None
        self._link_text: list[str] = []

    def _flush(self, *, keep_empty: bool = False) -> None:
        text = re.sub(r"[ \t\r\f\v\xa0]+", " ", "".join(self._line)).strip()
        if text:
            self.lines.append("> " * self._depth + text)
        elif keep_empty:
            self.lines.append(">" * min(self._depth, 1))
        self._line = []

    def _blank(self) -> None:
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append(">" * min(self._depth, 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush(keep_empty=True)
        elif tag in _BLOCKS:
            self._flush()
        if tag == "blockquote":
            self._depth += 1
        elif tag == "li":
            self._line.append("- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            shown = "".join(self._link_text).strip()
            target = self._href.removeprefix("mailto:")
            if target and target != shown and self._href.startswith(("http", "mailto:")):
                self._line.append(f" <{target}>")
            self._href = None
        if tag in _BLOCKS:
            self._flush()
        if tag == "blockquote":
            self._depth = max(0, self._depth - 1)
        if tag in _PARAGRAPHS:
            self._blank()

    def handle_data(self, data: str) -> None:
        self._line.append(data.replace("\n", " "))
        if self._href is not None:
            self._link_text.append(data)

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """Readable text of (sanitised) HTML: paragraphs on their own lines, quotes prefixed with '> '."""
    parser = _TextOf()
    parser.feed(sanitize_html(html))
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", parser.text())


_FORWARDED = re.compile(
    r"^\s*(-{2,}\s*(vidarebefordrat meddelande|forwarded message|videresendt melding)\s*-{2,}"
    r"|begin forwarded message:|inledningen av vidarebefordrat meddelande:)\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprungligt meddelande|originalmeddelande)\s*-{2,}\s*$", re.IGNORECASE
)
_ATTRIBUTION = re.compile(
    r"^\s*(den|on|le|am)\s.{0,300}\b(skrev|wrote|a écrit|schrieb)\b.{0,300}:\s*$", re.IGNORECASE
)
_HEADER_BLOCK = re.compile(r"^\s*\**(från|from)\s*:\**\s+\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\**(skickat|sent|datum|date)\s*:", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*((med\s+)?(vänliga|vänlig|bästa|varma|många)\s+hälsning(ar)?|mvh|hälsningar|hälsning|"
    r"vänligen|(best|kind|warm)\s+regards|regards|cheers|sincerely)\b",
    re.IGNORECASE,
)
_SENT_FROM = re.compile(r"^\s*(skickat från min|sent from my)\s", re.IGNORECASE)
_MAX_SIGNATURE_LINES = 6


def mark_sections(text: str) -> list[dict[str, int | str]]:
    """The parts of ``text``, in order, covering all of it (see the module docstring)."""
    lines = text.splitlines(keepends=True)
    kinds = ["message"] * len(lines)
    body_end = _start_of_history(lines, kinds)
    for i in range(body_end):
        if lines[i].lstrip().startswith(">"):
            if i == 0 or kinds[i - 1] != "quoted":
                _mark_attribution(lines, kinds, i)
            kinds[i] = "quoted"
    _mark_signature(lines, kinds, body_end)
    sections: list[dict[str, int | str]] = []
    offset = 0
    for line, kind in zip(lines, kinds, strict=True):
        if sections and sections[-1]["kind"] == kind:
            sections[-1]["end"] = offset + len(line)
        else:
            sections.append({"kind": kind, "start": offset, "end": offset + len(line)})
        offset += len(line)
    return sections


def _start_of_history(lines: list[str], kinds: list[str]) -> int:
    """Mark a forwarded message or an 'original message' block (to the end); return where it starts."""
    for i, line in enumerate(lines):
        kind = None
        if _FORWARDED.match(line):
            kind = "forwarded"
        elif _ORIGINAL.match(line) or (
            _HEADER_BLOCK.match(line) and any(_HEADER_NEXT.match(x) for x in lines[i + 1 : i + 5])
        ):
            kind = "quoted"
        if kind:
            for j in range(i, len(lines)):
                kinds[j] = kind
            return i
    return len(lines)


def _mark_attribution(lines: list[str], kinds: list[str], first_quoted: int) -> None:
    """'Den 2 mars 2026 skrev Åsa …:' just above a quoted block belongs to the quote."""
    i = first_quoted - 1
    while i >= 0 and not lines[i].strip() and first_quoted - i <= 2:
        i -= 1
    if i >= 0 and kinds[i] == "message" and _ATTRIBUTION.match(lines[i]):
        for j in range(i, first_quoted):
            kinds[j] = "quoted"


def _mark_signature(lines: list[str], kinds: list[str], end: int) -> None:
    """The signature of the citizen's own text: after '-- ', or a closing and a few lines after it."""
    own = [i for i in range(end) if kinds[i] == "message"]
    if not own:
        return
    last = own[-1]
    start = None
    for i in own:
        if lines[i].rstrip("\r\n") in ("-- ", "--"):
            start = i
            break
    if start is None:
        for i in reversed(own):
            if _SENT_FROM.match(lines[i]) or _CLOSING.match(lines[i]):
                tail = [j for j in own if j >= i and lines[j].strip()]
                if len(tail) <= _MAX_SIGNATURE_LINES:
                    start = i
                break
            if last - i > 12:
                break
    if start is not None:
        for i in own:
            if i >= start:
                kinds[i] = "signature"
