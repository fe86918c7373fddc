"""Demo customer profiles and segments: a few regulars with tags and attributes, and three segments.

Seeded once, after the demo conversations are imported (the customers exist only then); a workspace
that already has segments is left as its agents made it.
"""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.pipeline.profiles import update_profile
from socialdesk.pipeline.segments import create_segment
from socialdesk.store.db import Database
from socialdesk.store.models import Identity, Segment

# (network, the network's user id) -> profile fields. Every person here is invented (data/skylark.jsonl).
PROFILES: dict[tuple[str, str], dict[str, object]] = {
    ("x", "1598529923298291038"): {  # lucia_gmz, Sevilla
        "language": "es",
        "country": "ES",
        "tags": ["frequent flyer"],
        "products": ["skylark miles"],
        "attributes": {"tier": "gold", "member_since": 2017},
    },
    ("email", "maria.lopez@example.com"): {
        "email": "maria.lopez@example.com",
        "language": "es",
        "country": "ES",
        "location": "Madrid",
        "tags": ["frequent flyer"],
        "attributes": {"tier": "silver"},
    },
    ("facebook", "4552432758689599"): {  # carmen.ruiz.mad
        "language": "es",
        "country": "ES",
        "tags": ["pet owner"],
    },
    ("x", "5037356163"): {  # felix_jaeger, München
        "language": "de",
        "country": "DE",
        "tags": ["frequent flyer"],
        "products": ["skylark miles"],
        "attributes": {"tier": "gold"},
    },
    ("facebook", "3116207757220926"): {  # sabine.keller.b, Berlin
        "language": "de",
        "country": "DE",
        "tags": ["business"],
        "attributes": {"company": "Keller & Partner GmbH"},
    },
    ("email", "helga.brandt@example.net"): {
        "email": "helga.brandt@example.net",
        "language": "de",
        "country": "DE",
        "tags": ["assistance"],
    },
    ("mastodon", "876798565617069272"): {"language": "de", "country": "DE"},  # jkrause, Hamburg
}

SEGMENTS: tuple[tuple[str, str, dict[str, object]], ...] = (
    (
        "Spanish-speaking frequent flyers",
        "Frequent flyers who write to us in Spanish",
        {"languages": ["es"], "tags": ["frequent flyer"]},
    ),
    (
        "Complaints from Germany",
        "Customers in Germany who complained",
        {"countries": ["DE"], "complaint": True},
    ),
    ("Gold members", "Skylark Miles gold tier", {"attributes": {"tier": "gold"}}),
)


def seed_profiles(db: Database, workspace_id: int) -> None:
    """Give the demo's regulars their profiles and save the demo segments (once)."""
    with db.read() as session:
        if session.scalar(select(Segment.id).where(Segment.workspace_id == workspace_id).limit(1)):
            return
        customers = {
            (i.network, i.external_id): i.customer_id
            for i in session.scalars(select(Identity).where(Identity.workspace_id == workspace_id))
        }
    for key, fields in PROFILES.items():
        customer_id = customers.get(key)
        if customer_id is not None:
            update_profile(db, workspace_id, customer_id, fields)
    for name, description, segment_filter in SEGMENTS:
        create_segment(db, workspace_id, name, segment_filter, description)
