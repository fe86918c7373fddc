"""Triage throughput, peak memory and accuracy: the figures behind the triage targets.

    .venv/bin/python benchmarks/triage.py [--posts 100000] [--tiers fast,accurate] [--no-accuracy]
                                          [--topics-model topics.npz]

Posts are real tweets from ../shared/data (SemEval, TWCS, TweetEval), repeated to reach --posts. Each
tier triages all of them (every field) in one process, then in one process per core; with
--topics-model (a file from `socialdesk triage train-topics`) the workspace-topics field is filled too,
as it is for a workspace with its own topics. Prints figures; it is a script, not a test.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialdesk.core.types import TriageInput  # noqa: E402
from socialdesk.training.datasets import shared_root  # noqa: E402
from socialdesk.triage.engine import Tier, Triager  # noqa: E402
from socialdesk.triage.linear import LinearBundle  # noqa: E402

BATCH = 256


def real_posts(shared: Path, count: int) -> list[str]:
    data = shared / "data"
    texts: list[str] = []
    for path in sorted((data / "semeval-sentiment").glob("*.txt")):
        texts += [
            line.split("\t")[2]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.count("\t") >= 2
        ]
    with (data / "twcs-sample" / "twcs_first5000.csv").open(encoding="utf-8", newline="") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    for name in ("tweeteval-emotion", "tweeteval-offensive"):
        texts += (data / name / "train_text.txt").read_text(encoding="utf-8").splitlines()
    return [texts[i % len(texts)] for i in range(count)]


_worker: Triager | None = None


def _init(tier: Tier, topics_path: Path | None = None) -> None:
    global _worker
    topics = LinearBundle.load(topics_path) if topics_path else None
    _worker = Triager(tier, topics=topics)


def _run(chunk: Sequence[str]) -> int:
    assert _worker is not None
    return len(_worker.run([TriageInput(t) for t in chunk]))


def throughput(tier: Tier, texts: Sequence[str], processes: int, topics: Path | None = None) -> float:
    chunks = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    if processes == 1:
        _init(tier, topics)
        _run(chunks[0])  # warm up: first calls load the language model and the gazetteer
        started = time.perf_counter()
        done = sum(_run(c) for c in chunks)
    else:
        with multiprocessing.get_context("fork").Pool(processes, _init, (tier, topics)) as pool:
            pool.map(_run, chunks[: processes * 2])
            started = time.perf_counter()
            done = sum(pool.imap(_run, chunks, chunksize=1))
    return done / (time.perf_counter() - started)


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--tiers", default="fast,accurate")
    parser.add_argument("--no-accuracy", action="store_true")
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--topics-model", type=Path, default=None, help="also fill the topics field")
    args = parser.parse_args()
    shared = shared_root(args.shared)
    texts = real_posts(shared, args.posts)
    cores = os.cpu_count() or 1
    print(f"{len(texts):,} posts (real tweets, repeated), {cores} cores, batches of {BATCH}")
    topics = args.topics_model
    if topics:
        labels = LinearBundle.load(topics).head("topic").labels
        print(f"with the workspace topic model {topics} ({len(labels)} topics)")
    for tier in args.tiers.split(","):
        single = throughput(tier, texts, 1, topics)
        print(f"{tier:9} tier, 1 process : {single:8,.0f} posts/s", flush=True)
        multi = throughput(tier, texts, cores, topics)
        print(f"{tier:9} tier, {cores} processes: {multi:8,.0f} posts/s", flush=True)
    own, children = peak_mb()
    print(f"peak memory: {own:,.0f} MB (this process), {children:,.0f} MB (largest worker process)")
    if not args.no_accuracy:
        from socialdesk.training.evaluation import evaluate, format_table

        print()
        print(format_table(evaluate(shared, args.tiers.split(","), say=lambda m: None)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
