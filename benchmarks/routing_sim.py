"""SocialDesk's queue order against first-in-first-out, on an hour of real support traffic.

    .venv/bin/python benchmarks/routing_sim.py [--agents 4] [--utilisation 0.9] [--runs 20] [--seed 0]
                                               [--rules rules.json] [--sweep] [--window 22h|23h]
                                               [--shared ../shared]

The traffic is every case-opening customer post (inbound, not a reply) of the TWCS sample between
2017-10-31 22:00 and 23:00 UTC (the busiest hour of the sample; --window 23h replays the next hour),
read with the product's TWCS importer. Each post goes through the real
fast triage (`socialdesk.triage`), the real routing rules engine (`socialdesk.routing.rules`; a new
workspace has no rules, so by default every case keeps normal priority, and --rules tries a rule set)
and the real queue order and assignment (`routing.queues.order_key`, `routing.assignment.choose_agent`,
through `routing.simulation`), served by --agents agents, and the same arrivals and handling times are
served first-in-first-out.

Which posts are urgent was decided by hand, against benchmarks/routing_labels/CRITERIA.md, before any
score was looked at (benchmarks/routing_labels/urgent.csv); the scores that order the queue never see
the labels. Handling times are lognormal (median --handling-median s, log-sd --handling-sigma, kept
within 30 s .. 30 min), drawn per post from --seed + run, the same draws for every order. The arrival
times keep their real order and gaps, scaled by one factor per run so that the offered load (arrivals x
mean handling / agents) equals --utilisation. Waits are arrival to the moment an agent takes the case.

Two reference orders are printed but not judged: a random order (the conservation law says it cuts
medians but leaves every class's mean where FIFO has it) and the labels themselves, urgent first (the
best any score could do at this load). The last line is one JSON object with the figures the routing
issue asks for.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from socialdesk.core.errors import InvalidAction  # noqa: E402
from socialdesk.core.types import Direction, Priority, RowError, Triage, TriageInput  # noqa: E402
from socialdesk.importers.twcs import TwcsReader  # noqa: E402
from socialdesk.routing.rule_specs import parse_rule  # noqa: E402
from socialdesk.routing.rules import PostFacts, Rule, evaluate  # noqa: E402
from socialdesk.routing.simulation import Policy, SimCase, simulate  # noqa: E402
from socialdesk.routing.sla import SlaPolicy  # noqa: E402
from socialdesk.training.datasets import MissingData, shared_root  # noqa: E402
from socialdesk.triage.engine import Triager  # noqa: E402

LABELS_DIR = ROOT / "benchmarks" / "routing_labels"
SAMPLE = Path("data") / "twcs-sample" / "twcs_first5000.csv"
# A new workspace's policy (workspaces.sla_first_response_minutes): one target for every priority.
DEFAULT_SLA = SlaPolicy(first_response_minutes=60, resolution_minutes=24 * 60)
HANDLING_BOUNDS = (30.0, 1800.0)
BATCH = 64


@dataclass(frozen=True, slots=True)
class Window:
    """An hour of traffic and the file that labels every case-opening customer post in it."""

    start: datetime
    minutes: int
    labels: Path


# 22h is the benchmark (labelled first, the busiest hour); 23h a second hour labelled the same way
# afterwards, to see whether the figure holds on traffic the order was never looked at on.
WINDOWS = {
    "22h": Window(datetime(2017, 10, 31, 22, tzinfo=UTC), 60, LABELS_DIR / "urgent.csv"),
    "23h": Window(datetime(2017, 10, 31, 23, tzinfo=UTC), 60, LABELS_DIR / "urgent_23h.csv"),
}
LABELS = WINDOWS["22h"].labels


class BenchmarkError(Exception):
    """Something the user can fix: missing data, a bad option, a bad labels or rules file."""


@dataclass(frozen=True, slots=True)
class Post:
    case_id: int
    offset: float  # seconds after the window's start, in real time
    text: str
    urgent: bool


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _utilisation(text: str) -> float:
    value = float(text)
    if not 0 < value < 1.5:
        raise argparse.ArgumentTypeError(f"must be above 0 and below 1.5, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Replay an hour of real TWCS support traffic through SocialDesk's triage, rules, "
        "queue order and assignment against N simulated agents, and compare mean waits per class "
        "(hand-labelled urgent vs other) with first-in-first-out on the same arrivals and handling times.",
    )
    parser.add_argument("--agents", type=_positive_int, default=4, help="simulated agents (default 4)")
    parser.add_argument(
        "--utilisation",
        type=_utilisation,
        default=0.9,
        help="offered load the arrival times are scaled to: arrivals x mean handling time / agents "
        "(default 0.9, a busy team; at 1 or more the queue only drains after the last arrival)",
    )
    parser.add_argument(
        "--runs", type=_positive_int, default=20, help="handling-time draws averaged over (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first run's draws (default 0)")
    parser.add_argument(
        "--handling-median",
        type=_positive_float,
        default=240.0,
        help="median handling time in seconds (default 240: reading, looking up, writing one answer)",
    )
    parser.add_argument(
        "--handling-sigma",
        type=_positive_float,
        default=0.6,
        help="log standard deviation of the lognormal handling time (default 0.6: mean about 4.8 min)",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        help="a JSON file with a list of routing rules (the shape the rules API takes) to run on every "
        "post; by default none, as in a new workspace",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also print the urgent speedup and the other posts' slowdown over utilisation 0.7-0.97 "
        "and 2, 4 and 8 agents (a sensitivity table; the JSON line stays the main setting's)",
    )
    parser.add_argument(
        "--window",
        choices=sorted(WINDOWS),
        default="22h",
        help="which hour of 2017-10-31 (UTC) to replay: 22h, the benchmark (379 posts), or 23h, a second "
        "hour labelled the same way (197 posts); default 22h",
    )
    parser.add_argument(
        "--labels", type=Path, help="labels CSV (default: the window's, in benchmarks/routing_labels/)"
    )
    parser.add_argument(
        "--shared",
        type=Path,
        help="the shared data folder (default ../shared, or SOCIALDESK_SHARED); it must hold " + str(SAMPLE),
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def read_labels(path: Path) -> dict[str, bool]:
    if not path.is_file():
        raise BenchmarkError(f"the labels file {path} does not exist")
    labels: dict[str, bool] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"tweet_id", "urgent"} <= set(reader.fieldnames):
            raise BenchmarkError(f"{path}: the header must name tweet_id and urgent")
        for line, row in enumerate(reader, start=2):
            if row["urgent"] not in ("0", "1"):
                raise BenchmarkError(f"{path} line {line}: urgent must be 0 or 1, not {row['urgent']!r}")
            if row["tweet_id"] in labels:
                raise BenchmarkError(f"{path} line {line}: tweet {row['tweet_id']} is labelled twice")
            labels[row["tweet_id"]] = row["urgent"] == "1"
    return labels


def read_window(sample: Path, labels: dict[str, bool], window: Window) -> list[Post]:
    """The window's case-opening customer posts, each with its label; every one must have one."""
    start = window.start
    end = start + timedelta(minutes=window.minutes)
    posts: list[Post] = []
    unlabelled: list[str] = []
    for _, row in TwcsReader(sample).rows():
        if isinstance(row, RowError):
            continue  # not traffic; `socialdesk import` reports such rows
        if row.direction is not Direction.INBOUND or row.in_reply_to is not None:
            continue
        if not start <= row.created_at < end:
            continue
        if row.external_id not in labels:
            unlabelled.append(row.external_id)
            continue
        offset = (row.created_at - start).total_seconds()
        posts.append(Post(int(row.external_id), offset, row.text, labels[row.external_id]))
    if unlabelled:
        raise BenchmarkError(
            f"{len(unlabelled)} posts of the window have no label (e.g. tweet {unlabelled[0]}): "
            "label every post the simulation serves, so that the classes are exact"
        )
    if not posts:
        raise BenchmarkError(f"no case-opening customer posts between {start} and {end} in {sample}")
    return sorted(posts, key=lambda p: (p.offset, p.case_id))


def triage_all(posts: Sequence[Post], quiet: bool) -> list[Triage]:
    triager = Triager("fast")
    out: list[Triage] = []
    with tqdm(
        total=len(posts), desc="triage (fast tier)", unit="post", disable=quiet, file=sys.stderr
    ) as bar:
        for first in range(0, len(posts), BATCH):
            batch = posts[first : first + BATCH]
            out += triager.run([TriageInput(p.text) for p in batch])
            bar.update(len(batch))
    return out


def read_rules(path: Path | None) -> list[Rule]:
    if path is None:
        return []
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchmarkError(f"cannot read the rules file {path}: {exc}") from None
    if not isinstance(data, list):
        raise BenchmarkError(f"{path}: expected a JSON list of rules")
    rules = []
    for i, item in enumerate(data):
        try:
            rules.append(Rule(i + 1, parse_rule(item)))
        except InvalidAction as exc:
            raise BenchmarkError(f"{path}: rule {i + 1}: {exc}") from None
    return rules


def priorities(posts: Sequence[Post], triages: Sequence[Triage], rules: Sequence[Rule]) -> list[Priority]:
    """The priority each case gets from the rules (normal when no rule sets one)."""
    out = []
    for post, triage in zip(posts, triages, strict=True):
        facts = PostFacts(
            text=post.text,
            network="x",
            language=triage.language,
            sentiment=triage.sentiment,
            intent=triage.intent,
            is_complaint=triage.is_complaint,
            urgency=triage.urgency,
            topic=triage.topics[0].label if triage.topics else None,
            place_name=triage.places[0].name if triage.places else None,
            place_country=triage.places[0].country if triage.places else None,
        )
        out.append(evaluate(rules, facts).outcome.priority or Priority.NORMAL)
    return out


def handling_times(count: int, rng: random.Random, median: float, sigma: float) -> list[float]:
    low, high = HANDLING_BOUNDS
    return [min(max(rng.lognormvariate(math.log(median), sigma), low), high) for _ in range(count)]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True, slots=True)
class ClassWaits:
    mean: float
    median: float
    p90: float

    @staticmethod
    def of(waits: Sequence[float]) -> ClassWaits:
        return ClassWaits(statistics.fmean(waits), statistics.median(waits), percentile(waits, 0.9))


Order = Policy | Callable[[SimCase], object]


def _looked_up(keys: Mapping[int, object]) -> Callable[[SimCase], object]:
    """An order given as a key per case (ties broken by case id)."""

    def key(case: SimCase) -> tuple[object, int]:
        return (keys[case.case_id], case.case_id)

    return key


def run_orders(
    posts: Sequence[Post],
    triages: Sequence[Triage],
    levels: Sequence[Priority],
    agents: int,
    utilisation: float,
    args: argparse.Namespace,
    with_references: bool,
) -> dict[str, dict[bool, list[float]]]:
    """Waits per order and class (True = urgent), pooled over the runs."""
    urgent = {p.case_id: p.urgent for p in posts}
    window = WINDOWS[args.window].minutes * 60.0
    names = ["fifo", "routed"] + (["random", "labels first"] if with_references else [])
    waits: dict[str, dict[bool, list[float]]] = {n: {True: [], False: []} for n in names}
    for run in range(args.runs):
        rng = random.Random(args.seed + run)
        handling = handling_times(len(posts), rng, args.handling_median, args.handling_sigma)
        # offered load = (posts / (window * scale)) * mean handling / agents  ->  solve for scale
        scale = len(posts) * statistics.fmean(handling) / (utilisation * agents * window)
        cases = [
            SimCase(
                case_id=p.case_id,
                arrives=p.offset * scale,
                handling=h,
                priority=level,
                urgency=t.urgency,
                due_after=DEFAULT_SLA.first_response_minutes * 60.0,
            )
            for p, t, h, level in zip(posts, triages, handling, levels, strict=True)
        ]
        shuffle = {c.case_id: rng.random() for c in cases}
        labelled = {c.case_id: (not urgent[c.case_id], c.arrives) for c in cases}
        orders: dict[str, Order] = {
            "fifo": "fifo",
            "routed": "routed",
            "random": _looked_up(shuffle),
            "labels first": _looked_up(labelled),
        }
        for name in names:
            for served in simulate(cases, agents, orders[name]):
                waits[name][urgent[served.case_id]].append(served.wait)
    return waits


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """The chance that a random urgent post scores above a random other one (ties count half)."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:7.1f}"


def report(
    posts: Sequence[Post], triages: Sequence[Triage], levels: Sequence[Priority], args: argparse.Namespace
) -> dict[str, float]:
    n_urgent = sum(p.urgent for p in posts)
    window = WINDOWS[args.window]
    print(
        f"traffic: {len(posts)} case-opening customer posts, {window.start:%Y-%m-%d %H:%M} UTC "
        f"+ {window.minutes} min; hand-labelled urgent: {n_urgent} ({n_urgent / len(posts):.0%})"
    )
    counts = {level: levels.count(level) for level in Priority}
    print(
        f"rules: {'none (a new workspace)' if args.rules is None else args.rules}; priorities: "
        + ", ".join(f"{level.value} {n}" for level, n in counts.items() if n)
    )
    print(
        f"team: {args.agents} agents; offered load {args.utilisation:.2f}; handling lognormal median "
        f"{args.handling_median:.0f} s, log-sd {args.handling_sigma}; {args.runs} runs from seed {args.seed}"
    )
    separation = auc([t.urgency for t in triages], [p.urgent for p in posts])
    print(f"triage urgency vs the labels: ROC AUC {separation:.3f}")
    waits = run_orders(posts, triages, levels, args.agents, args.utilisation, args, with_references=True)
    print()
    print("waits in minutes          urgent: mean  median     p90 |  other: mean  median     p90")
    stats = {name: {cls: ClassWaits.of(w) for cls, w in by_class.items()} for name, by_class in waits.items()}
    for name, by_class in stats.items():
        u, o = by_class[True], by_class[False]
        label = name + (" (reference)" if name in ("random", "labels first") else "")
        print(
            f"{label:<25} {_minutes(u.mean)} {_minutes(u.median)} {_minutes(u.p90)} |"
            f" {_minutes(o.mean)} {_minutes(o.median)} {_minutes(o.p90)}"
        )
    fifo, routed = stats["fifo"], stats["routed"]
    speedup = fifo[True].mean / routed[True].mean if routed[True].mean else math.inf
    slowdown = routed[False].mean / fifo[False].mean if fifo[False].mean else math.inf
    everyone = (sum(waits["routed"][True]) + sum(waits["routed"][False])) / (
        sum(waits["fifo"][True]) + sum(waits["fifo"][False])
    )
    print()
    print(
        f"urgent mean wait: {speedup:.2f}x sooner than FIFO (target >= 3); other posts' mean wait: "
        f"{slowdown:.2f}x FIFO's (target <= 1.5); mean over all posts: {everyone:.2f}x FIFO's"
    )
    if args.sweep:
        sweep(posts, triages, levels, args)
    return {
        "urgent_mean_fifo_s": round(fifo[True].mean, 1),
        "urgent_mean_routed_s": round(routed[True].mean, 1),
        "urgent_p90_fifo_s": round(fifo[True].p90, 1),
        "urgent_p90_routed_s": round(routed[True].p90, 1),
        "other_mean_fifo_s": round(fifo[False].mean, 1),
        "other_mean_routed_s": round(routed[False].mean, 1),
        "speedup_urgent_mean": round(speedup, 3),
    }


def sweep(
    posts: Sequence[Post], triages: Sequence[Triage], levels: Sequence[Priority], args: argparse.Namespace
) -> None:
    print()
    print("sensitivity: urgent mean speedup / other posts' mean slowdown (routed vs FIFO)")
    loads = (0.7, 0.8, 0.9, 0.95, 0.97)
    print("agents " + "".join(f"   load {load:<4}  " for load in loads))
    for agents in (2, 4, 8):
        cells = []
        for load in loads:
            waits = run_orders(posts, triages, levels, agents, load, args, with_references=False)
            fifo_u, routed_u = statistics.fmean(waits["fifo"][True]), statistics.fmean(waits["routed"][True])
            fifo_o, routed_o = (
                statistics.fmean(waits["fifo"][False]),
                statistics.fmean(waits["routed"][False]),
            )
            speedup = fifo_u / routed_u if routed_u else math.inf
            slowdown = routed_o / fifo_o if fifo_o else math.inf
            cells.append(f"{speedup:5.2f} / {slowdown:4.2f}  ")
        print(f"{agents:>6} " + "".join(cells))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.shared is not None and not (args.shared / "data").is_dir():
            raise BenchmarkError(
                f"--shared {args.shared}: no 'data' folder there (the shared data is absent)"
            )
        try:
            shared = shared_root(args.shared)
        except MissingData as exc:
            raise BenchmarkError(str(exc)) from None
        sample = shared / SAMPLE
        if not sample.is_file():
            raise BenchmarkError(f"the TWCS sample is not at {sample} (is ../shared complete?)")
        window = WINDOWS[args.window]
        labels = read_labels(args.labels or window.labels)
        rules = read_rules(args.rules)
        posts = read_window(sample, labels, window)
        triages = triage_all(posts, args.quiet)
        levels = priorities(posts, triages, rules)
        figures = report(posts, triages, levels, args)
    except BenchmarkError as exc:
        print(f"routing_sim: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
