"""How long PII detection takes per post, on a few thousand realistic customer posts.

The triage pipeline has a budget of 200 microseconds per post for all analysis (5,000 posts a second in
one process), and PII detection may use at most 15 of them on a typical tweet. Most posts carry no
personal data but do carry digits (flight numbers, times, prices) and @handles, which is exactly what
the cheap pre-checks in socialdesk.triage.pii have to get past quickly, so the generated mix is mostly
such posts with a minority that holds an e-mail, phone, card, IBAN or booking number.

Run: .venv/bin/python benchmarks/pii_speed.py [--posts 5000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from socialdesk.triage.pii import find_pii, redact

DEMO_POSTS = Path(__file__).resolve().parents[1] / "socialdesk" / "demo" / "data" / "skylark.jsonl"

HANDLES = ["@SkylarkAir", "@AcmeHelp", "@NorthBankCare", "@skylarkair@mastodon.social", "@ShopHelp"]
PLAIN = [
    "my flight {flight} was cancelled and nobody at the desk in {city} can tell me anything. "
    "waited {n} hours at gate {gate} already, this is ridiculous",
    "been on hold for {n} minutes now, your hotline keeps hanging up on me. flight {flight} at {time} "
    "tomorrow and I still have no seat #fail",
    "Mein Koffer ist in {city} nicht angekommen, Flug {flight} am {date}. Die Hotline ist seit {time} "
    "dauernd besetzt. Was soll ich tun?",
    "mi vuelo {flight} a {city} salió con {n} horas de retraso y perdí la conexión. ¿Quién me paga el "
    "hotel? Pagué {price} por una noche 😡",
    "Bonjour, mon vol {flight} du {date} a été annulé et je n'ai toujours pas reçu le remboursement de "
    "{price}. Merci de me répondre rapidement.",
    "the app crashes every time I tap 'Check in' on Android {version}. tried reinstalling {n} times, "
    "flight leaves at {time}. please fix 🙃 https://t.co/x1Yz2",
    "charged twice for the same order, {price} each time, on {date}. your chat bot keeps sending me in "
    "circles. I want my money back",
    "thanks for sorting out my bag so quickly yesterday! landed at {time}, bag was home by {n}pm. "
    "great service from the team in {city} 👏",
    "is the {time} to {city} on {date} still on time? the board at gate {gate} says delayed but the app "
    "says boarding. which one is right?",
    "Waarom kost een extra koffer op vlucht {flight} ineens {price}? Vorige maand was het nog {n} euro "
    "minder. Leg dat maar eens uit.",
]
WITH_PII = [
    "please call me back on {phone}, I have been waiting since {time} and my flight {flight} leaves "
    "{date}. nobody answers the hotline",
    "my booking ref is {code}, flight {flight} on {date}. can you move me to the {time} departure? "
    "happy to pay the difference",
    "you can reach me at {email} or {phone} about the refund for order {order}. it has been {n} weeks",
    "I paid with card {card} and the payment of {price} shows twice. please refund one of them",
    "please send the compensation to my IBAN {iban}, account holder is the same name as on booking "
    "{code}. thanks",
    "Kundennummer {order}, die Rechnung vom {date} ist falsch. Bitte rufen Sie mich unter {phone} "
    "zurück, Danke.",
]
FLIGHTS = ["SK 1210", "BA117", "LH 400", "SK 2214", "FR8123", "U2 4567", "SK 1560"]
CITIES = ["Frankfurt", "Madrid", "Lisbon", "Hamburg", "Vienna", "Barcelona", "Manchester"]
PHONES = ["+44 7700 900123", "07700 900456", "+1 (202) 555-0147", "030 1234567", "06 12 34 56 78"]
CARDS = ["4111 1111 1111 1111", "5555-5555-5555-4444", "4012888888881881"]
IBANS = ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300"]
EMAILS = ["jane.doe@example.com", "m.rossi+travel@mail.example.it", "kunde@beispiel.de"]
CODES = ["QX7P2L", "HB2N6Y", "LC9H4T", "XP2W7L"]


def fill(template: str, rng: random.Random) -> str:
    values = {
        "flight": rng.choice(FLIGHTS),
        "city": rng.choice(CITIES),
        "n": str(rng.randint(2, 90)),
        "gate": f"{rng.choice('ABCD')}{rng.randint(1, 40)}",
        "time": f"{rng.randint(5, 22):02d}:{rng.choice([0, 10, 25, 40, 55]):02d}",
        "date": rng.choice([f"{rng.randint(1, 28)}/11/2026", f"2026-11-{rng.randint(1, 28):02d}", "Monday"]),
        "price": rng.choice(
            [f"£{rng.randint(20, 400)}", f"{rng.randint(20, 900)},00 €", f"${rng.randint(9, 99)}.99"]
        ),
        "version": f"{rng.randint(10, 14)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        "phone": rng.choice(PHONES),
        "code": rng.choice(CODES),
        "email": rng.choice(EMAILS),
        "order": str(rng.randint(10_000_000, 99_999_999)),
        "card": rng.choice(CARDS),
        "iban": rng.choice(IBANS),
    }
    return template.format(**values)


def build_posts(count: int, pii_share: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    demo = [json.loads(line)["text"] for line in DEMO_POSTS.read_text(encoding="utf-8").splitlines() if line]
    posts: list[str] = []
    while len(posts) < count:
        roll = rng.random()
        if roll < pii_share:
            text = fill(rng.choice(WITH_PII), rng)
        elif roll < pii_share + 0.25 and demo:
            text = rng.choice(demo)
        else:
            text = fill(rng.choice(PLAIN), rng)
        if not text.startswith("@") and rng.random() < 0.7:
            text = f"{rng.choice(HANDLES)} {text}"
        posts.append(text[:280])
    return posts


def per_post_microseconds(func: Callable[[str], object], posts: Sequence[str], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        for text in posts:
            func(text)
        timings.append((time.perf_counter_ns() - started) / len(posts) / 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pii-share", type=float, default=0.1, help="share of posts that hold personal data")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    posts = build_posts(args.posts, args.pii_share, args.seed)
    lengths = [len(text) for text in posts]
    with_pii = [text for text in posts if find_pii(text)]
    without = [text for text in posts if not find_pii(text)]
    print(
        f"{len(posts)} posts, {statistics.mean(lengths):.0f} characters on average "
        f"(min {min(lengths)}, max {max(lengths)}), {len(with_pii)} with personal data found"
    )
    typical = [text for text in posts if 100 <= len(text) <= 280]
    runs: list[tuple[str, Callable[[str], object], list[str]]] = [
        ("find_pii, all posts", find_pii, posts),
        ("find_pii, 100-280 characters", find_pii, typical),
        ("find_pii, posts without PII", find_pii, without),
        ("find_pii, posts with PII", find_pii, with_pii),
        ("redact, all posts", redact, posts),
    ]
    for label, func, sample in runs:
        if not sample:
            continue
        timings = per_post_microseconds(func, sample, args.repeat)
        print(
            f"{label:30} best {min(timings):6.2f} µs/post   median {statistics.median(timings):6.2f} µs/post"
        )


if __name__ == "__main__":
    main()
