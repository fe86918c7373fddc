"""Mastodon's HTML back to text, its length rules, and the stream's line and event splitting."""

from __future__ import annotations

import pytest

from socialdesk.channels.mastodon import CONNECTOR
from socialdesk.channels.mastodon.streaming import _lines, _stream_items
from socialdesk.channels.mastodon.text import countable_length, html_to_text, mentions
from socialdesk.core.errors import CredentialsError, PermanentSendError, TemporaryError

MASTODON = CONNECTOR
LINK = (
    '<a href="https://www.skylarkair.example/help/refunds/form?booking=QX7P2M&amp;lang=pt" target="_blank" '
    'rel="nofollow noopener" translate="no"><span class="invisible">https://www.</span>'
    '<span class="ellipsis">skylarkair.example/help/refund</span>'
    '<span class="invisible">s/form?booking=QX7P2M&amp;lang=pt</span></a>'
)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>one<br>two<br />three</p>", "one\ntwo\nthree"),
        ("<p>a</p>\n<p>b</p>", "a\n\nb"),  # a pretty-printed page: the newline between is not text
        ("plain text, no markup", "plain text, no markup"),
        (
            "<p>see " + LINK + " now</p>",
            "see https://www.skylarkair.example/help/refunds/form?booking=QX7P2M&lang=pt now",
        ),
        (
            '<p><span class="h-card" translate="no"><a href="https://chaos.social/@jonas" '
            'class="u-url mention">@<span>jonas</span></a></span> hi</p>',
            "@jonas hi",
        ),
        (
            '<a href="https://x.example/tags/SkylarkAir" class="mention hashtag" rel="tag">'
            "#<span>SkylarkAir</span></a>",
            "#SkylarkAir",
        ),
        (
            "<p>Tom &amp; Jerry &lt;3 &quot;hi&quot; &#39;yo&#39; &#x1F600; caf&eacute;</p>",
            "Tom & Jerry <3 \"hi\" 'yo' 😀 café",
        ),
        ("<p>two  spaces and\ttab</p>", "two  spaces and\ttab"),
        ("<blockquote><p>quoted</p></blockquote><p>reply</p>", "quoted\n\nreply"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<p>x<strong>bold</strong> <em>it</em> <code>c</code> <del>d</del></p>", "xbold it c d"),
        ('<p>emoji <img src="x.png" alt=":blobcat:"> here</p>', "emoji :blobcat: here"),
        ("<p>a<script>alert(1)</script>b</p>", "ab"),
        (
            '<p class="quote-inline">RE: <a href="https://m.example/@a/1">https://m.example/@a/1</a></p><p>yes</p>',
            "RE: https://m.example/@a/1\n\nyes",
        ),
        ("<p>unclosed <b>tag", "unclosed tag"),
        ("", ""),
        ("<p></p>", ""),
        ("<p>nul\x00 and \ud800</p>", "nul\ufffd and \ufffd"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("@maria_l@fosstodon.org hi", len("@maria_l hi")),  # the domain is free
        ("see https://www.skylarkair.example/a/very/long/path?with=query", len("see ") + 23),
        ("👨\u200d👩\u200d👧", 1),
        ("🇵🇹🇩🇪", 2),
        ("👋🏽", 1),
        ("Cafe\u0301", 4),
        ("🏳\ufe0f\u200d🌈", 1),
    ],
)
def test_countable_length_counts_as_mastodon_does(text: str, length: int) -> None:
    assert countable_length(text) == length


@pytest.mark.parametrize(
    ("text", "acct", "found"),
    [
        ("@maria_l@fosstodon.org thanks", "maria_l@fosstodon.org", True),
        ("Thanks @MARIA_L@fosstodon.org.", "maria_l@fosstodon.org", True),
        ("@maria_l thanks", "maria_l@fosstodon.org", False),  # that would be a local maria_l
        ("@tomfromleeds hi", "tomfromleeds", True),
        ("@tomfromleeds@other.example hi", "tomfromleeds", False),
        ("@tomfromleedsx hi", "tomfromleeds", False),
        ("mail tomfromleeds@example.com", "tomfromleeds", False),
        ("https://mastodon.social/@tomfromleeds", "tomfromleeds", False),
    ],
)
def test_mentions(text: str, acct: str, found: bool) -> None:
    assert mentions(text, acct) is found


def test_lines_split_at_cr_lf_only() -> None:
    chunks = [
        b"event: update\r",
        b'\ndata: {"t":"a\xe2\x80\xa8b\xc2\x85c\x0cd"}\n',
        b"\n:thump\n",
        b"partial",
    ]
    assert list(_lines(chunks)) == [
        b"event: update",
        b'data: {"t":"a\xe2\x80\xa8b\xc2\x85c\x0cd"}',
        b"",
        b":thump",
    ]


def test_stream_items_are_event_blocks_and_heartbeats() -> None:
    lines = [
        b":)",
        b"event: update",
        b"data: {}",
        b"",
        b":thump",
        b"event: delete",
        b":thump",
        b"data: 1",
        b"",
    ]
    assert [i.payload for i in _stream_items(lines)] == [
        b":)",
        b"event: update\ndata: {}",
        b":thump",
        b"event: delete\ndata: 1",  # a heartbeat inside a block does not split it
    ]
    assert all(i.cursor is None for i in _stream_items(lines))


def test_reconnect_delay() -> None:
    delay = MASTODON.reconnect_delay
    assert delay(TemporaryError("dropped"), 1) == 1
    assert delay(TemporaryError("dropped"), 4) == 8
    assert delay(TemporaryError("dropped"), 30) == 60
    assert delay(CredentialsError("401"), 1) == 300
    assert delay(PermanentSendError("400"), 1) == 300
