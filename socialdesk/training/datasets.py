"""Readers for the labelled data sets in ../shared/data, each read in place and never copied.

Every reader returns plain (text, label) lists. Validation splits are fixed here, once, so that training
and evaluation can never disagree about which rows were held back.
"""

from __future__ import annotations

import csv
import html
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from socialdesk.core.errors import SocialDeskError

SENTIMENTS = ("negative", "neutral", "positive")
_DATA_PACKAGE = Path(__file__).resolve().parent.parent / "triage" / "data"


class MissingData(SocialDeskError):
    """A shared data set is not where it should be."""


def shared_root(explicit: Path | None = None) -> Path:
    """../shared beside the working directory, or SOCIALDESK_SHARED, or the given path."""
    candidates = [explicit] if explicit else []
    if os.environ.get("SOCIALDESK_SHARED"):
        candidates.append(Path(os.environ["SOCIALDESK_SHARED"]))
    candidates += [Path.cwd().parent / "shared", Path(__file__).resolve().parents[3] / "shared"]
    for candidate in candidates:
        if candidate and (candidate / "data").is_dir():
            return candidate
    raise MissingData(
        "cannot find the shared data (a folder 'shared' with a 'data' folder inside): pass --shared PATH "
        "or set SOCIALDESK_SHARED"
    )


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _need(path: Path) -> Path:
    if not path.exists():
        raise MissingData(f"{path} is missing")
    return path


def _dedupe_key(text: str) -> str:
    text = html.unescape(text).replace('""', '"')
    text = re.sub(r"@\w+", "@user", text)
    text = re.sub(r"https?://\S+", "http", text)
    return " ".join(re.sub(r"[^\w@ ]", " ", text.lower()).split())


def tweeteval_sentiment_val(shared: Path) -> Labelled:
    folder = shared / "data" / "tweeteval-sentiment-val"
    texts = _need(folder / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [SENTIMENTS[int(x)] for x in _need(folder / "val_labels.txt").read_text().split()]
    return Labelled(texts, labels)


def semeval_sentiment(shared: Path, exclude: list[str]) -> Labelled:
    """SemEval 2013-2016 tweets, duplicates dropped, and without any tweet of `exclude` (the validation
    split was drawn from these same tweets: 1,304 of its 2,000 appear verbatim, the rest with small
    changes of quoting and escaping, so near-duplicates are found by character n-gram similarity)."""
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted(_need(shared / "data" / "semeval-sentiment").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] in SENTIMENTS:
                seen.setdefault(_dedupe_key(parts[2]), (parts[2], parts[1]))
    held_out = {_dedupe_key(t) for t in exclude}
    rows = [(text, label) for key, (text, label) in seen.items() if key not in held_out]
    near = _near_duplicates([t for t, _ in rows], exclude)
    rows = [row for row, dup in zip(rows, near, strict=True) if not dup]
    return Labelled([t for t, _ in rows], [lab for _, lab in rows])


def _near_duplicates(texts: list[str], others: list[str], threshold: float = 0.8) -> list[bool]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform([_dedupe_key(t) for t in texts])
    similarity = (matrix @ vectorizer.transform([_dedupe_key(t) for t in others]).T).max(axis=1)
    return [bool(s >= threshold) for s in similarity.toarray().ravel()]


@dataclass(frozen=True)
class Complaint:
    text: str
    is_complaint: bool
    severity: int  # 0 = not a complaint; 1..4 from mild to blaming
    domain: str


def complaints(shared: Path) -> list[Complaint]:
    path = _need(shared / "data" / "complaints-severity" / "xci_train_domains.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Complaint(
                row["tweet"], row["label"].strip() == "1", int(float(row["Severity"] or 0)), row["domain"]
            )
            for row in csv.DictReader(handle)
        ]


def calibration_split(n: int) -> tuple[list[int], list[int]]:
    """The SemEval sentiment tweets models train on, and the 5 % kept back to calibrate them."""
    return split(n, 0.05, seed=5)


def split(n: int, validation: float, seed: int) -> tuple[list[int], list[int]]:
    """A fixed shuffled split of range(n) into (train, validation) indexes."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    cut = round(n * (1 - validation))
    return sorted(order[:cut]), sorted(order[cut:])


def complaints_split(shared: Path) -> tuple[list[Complaint], list[Complaint]]:
    """The held-in validation fold of complaints-severity: 20 %, stratified by severity."""
    rows = complaints(shared)
    train: list[Complaint] = []
    valid: list[Complaint] = []
    for severity in range(5):
        group = [r for r in rows if r.severity == severity]
        a, b = split(len(group), 0.2, seed=9 + severity)
        train += [group[i] for i in a]
        valid += [group[i] for i in b]
    return train, valid


def banking77(shared: Path) -> Labelled:
    path = _need(shared / "data" / "banking77" / "train.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Labelled([r["text"] for r in rows], [r["category"] for r in rows])


def twcs_texts(shared: Path) -> dict[str, tuple[str, bool]]:
    """tweet_id -> (text, inbound) for the TWCS sample."""
    path = _need(shared / "data" / "twcs-sample" / "twcs_first5000.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["tweet_id"]: (row["text"], row["inbound"] == "True") for row in csv.DictReader(handle)}


def unlabelled_tweets(shared: Path) -> list[str]:
    """English tweets without sentiment labels, for the fast tier to learn from the accurate one: the
    TWCS sample, the TweetEval emotion and offensive training texts, and complaints-severity."""
    texts = [text for text, _ in twcs_texts(shared).values()]
    for name in ("tweeteval-emotion", "tweeteval-offensive"):
        texts += _need(shared / "data" / name / "train_text.txt").read_text(encoding="utf-8").splitlines()
    return texts + [c.text for c in complaints(shared)]


def intents(shared: Path) -> Labelled:
    """TWCS customer tweets with the intents the project labelled (see triage/data/INTENT_LABELS.md)."""
    texts = twcs_texts(shared)
    out = Labelled([], [])
    for row in _labels("intent_labels.csv"):
        if row["tweet_id"] in texts:
            out.texts.append(texts[row["tweet_id"]][0])
            out.labels.append(row["intent"])
    return out


def intents_split(shared: Path) -> tuple[Labelled, Labelled]:
    data = intents(shared)
    a, b = split(len(data), 0.2, seed=23)
    return (
        Labelled([data.texts[i] for i in a], [data.labels[i] for i in a]),
        Labelled([data.texts[i] for i in b], [data.labels[i] for i in b]),
    )


def languages(shared: Path, source: str | None = None) -> Labelled:
    """Real posts in many languages, labelled by the project (LANGUAGE_LABELS.md); `und` left out.
    `source` keeps only the rows of one source ("twcs", "semeval", "tweeteval")."""
    twcs = twcs_texts(shared)
    files: dict[str, list[str]] = {}
    out = Labelled([], [])
    for row in _labels("language_labels.csv"):
        if row["language"] == "und" or (source and row["source"].partition(":")[0] != source):
            continue
        text = _language_text(shared, row["source"], row["id"], twcs, files)
        if text is not None:
            out.texts.append(text)
            out.labels.append(row["language"])
    return out


def _language_text(
    shared: Path, source: str, key: str, twcs: dict[str, tuple[str, bool]], files: dict[str, list[str]]
) -> str | None:
    if source == "twcs":
        return twcs[key][0] if key in twcs else None
    kind, _, name = source.partition(":")
    if kind == "semeval":
        if name not in files:
            files[name] = (
                (shared / "data" / "semeval-sentiment" / name).read_text(encoding="utf-8").splitlines()
            )
        for line in files[name]:
            parts = line.split("\t")
            if parts[0] == key and len(parts) >= 3:
                return parts[2]
        return None
    if kind == "tweeteval":
        if name not in files:
            files[name] = (shared / "data" / name).read_text(encoding="utf-8").splitlines()
        index = int(key) - 1
        return files[name][index] if 0 <= index < len(files[name]) else None
    return None


def _labels(name: str) -> Iterator[dict[str, str]]:
    with (_DATA_PACKAGE / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)
