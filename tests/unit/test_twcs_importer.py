"""The Customer Support on Twitter CSV format, on our own fixture and on the real shared sample."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialdesk.core.errors import ImportFileError
from socialdesk.core.types import Direction, InboundPost, RowError
from socialdesk.importers import open_archive
from socialdesk.importers.twcs import TwcsReader, parse_twitter_time
from tests.conftest import FIXTURES


def posts(path: Path) -> list[InboundPost | RowError]:
    return [row for _, row in TwcsReader(path).rows()]


def test_rows_become_posts_with_direction_channel_and_reply_ids() -> None:
    rows = posts(FIXTURES / "twcs" / "mixed.csv")
    good = [r for r in rows if isinstance(r, InboundPost)]
    by_id = {p.external_id: p for p in good}
    assert set(by_id) == {"101", "102", "103", "107", "108"}
    assert by_id["101"].direction is Direction.OUTBOUND
    assert by_id["101"].channel == "AcmeHelp"
    assert by_id["101"].in_reply_to == "102"  # "102.0" as pandas wrote it
    assert by_id["102"].direction is Direction.INBOUND
    assert by_id["102"].channel == "AcmeHelp"  # the brand the customer @mentioned
    assert by_id["103"].text == "@AcmeHelp it's #4471,\nthe blue kettle 🫖"
    assert by_id["107"].channel == "AcmeHelp"  # mentions match brands case-insensitively
    assert by_id["107"].text.startswith("@acmehelp مرحبا")
    assert by_id["102"].created_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert by_id["102"].raw is not None
    assert by_id["102"].raw["tweet_id"] == "102"


def test_twitter_timestamps() -> None:
    assert parse_twitter_time("Tue Oct 31 22:10:47 +0000 2017") == datetime(
        2017, 10, 31, 22, 10, 47, tzinfo=UTC
    )
    assert parse_twitter_time("Tue Oct 31 23:10:47 +0100 2017") == datetime(
        2017, 10, 31, 22, 10, 47, tzinfo=UTC
    )


def test_a_broken_row_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(
        b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        b"1,5,True,Mon Nov 20 09:00:00 +0000 2026,ok,,\n"
        b"2,5,True,Mon Nov 20 09:00:00 +0000 2026,bad \xff byte,,\n"
        b"3,5,True,Mon Nov 20 09:00:00 +0000 2026,nul \x00 inside,,\n"
        b"4,5,True,Mon Nov 20 09:00:00 +0000 2026,too,many,fields,here\n"
        b"5,5,True,Mon Nov 20 09:00:00 +0000 2026,fine again,,\n"
    )
    rows = posts(path)
    assert [type(r).__name__ for r in rows] == [
        "InboundPost",
        "RowError",
        "RowError",
        "RowError",
        "InboundPost",
    ]
    assert "not valid UTF-8" in rows[1].reason  # type: ignore[union-attr]
    assert "NUL" in rows[2].reason  # type: ignore[union-attr]
    assert rows[3].reason == "row has more fields than the header"  # type: ignore[union-attr]


def test_a_file_without_the_twcs_columns_is_refused_whole() -> None:
    with pytest.raises(ImportFileError, match=r"missing column\(s\) inbound, created_at"):
        TwcsReader(FIXTURES / "twcs" / "missing_columns.csv").count()
    with pytest.raises(ImportFileError, match="binary"):
        open_archive(FIXTURES / "twcs" / "binary.csv")


def test_the_shared_sample_reads_whole(twcs_sample: Path) -> None:
    reader = TwcsReader(twcs_sample)
    rows = [row for _, row in reader.rows()]
    assert reader.count() == len(rows) == 5000
    assert all(isinstance(r, InboundPost) for r in rows)
    good = [r for r in rows if isinstance(r, InboundPost)]
    directions = Counter(p.direction for p in good)
    assert directions == {Direction.INBOUND: 2778, Direction.OUTBOUND: 2222}
    first = good[0]
    assert (first.external_id, first.author_id, first.in_reply_to) == ("1", "sprintcare", "3")
    # A customer's tweet is filed under the first brand it @mentions; brands are the sample's reply authors.
    channels = Counter(p.channel for p in good if p.direction is Direction.INBOUND)
    assert channels.most_common(3) == [(None, 601), ("ChipotleTweets", 230), ("AmazonHelp", 154)]
    # The tweet whose text holds bare carriage returns (see the sample's SOURCE.md) stays one post.
    paypal = next(p for p in good if p.external_id == "3399")
    assert paypal.text.startswith("@AskPayPal \r\rI just love")
