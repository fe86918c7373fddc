"""The demo's teams at work: skills, hours and assignment modes, SLA policies per priority, and a few
more agents with capacities, some of them online, so that new posts are assigned as they arrive."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.accounts.agents import create_agent
from socialdesk.pipeline.assignment import set_capacity, set_presence
from socialdesk.pipeline.team_settings import PolicyInput, TeamSettings, save_policies, update_team
from socialdesk.pipeline.workspaces import ensure_team
from socialdesk.store.db import Database
from socialdesk.store.models import Agent, Team, Workspace

EVERY_DAY = "\n".join(f"{d} 07:00-23:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
OFFICE = "\n".join(f"{d} 09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri"))
HOLIDAYS = "2026-12-25 Christmas Day\n2026-12-26 Boxing Day\n2027-01-01 New Year's Day"
NORDIC_TEAM = "Nordic desk"

# team name -> its settings (languages stay as the loader set them, except the Nordic desk's)
TEAMS = {
    "Customer Care": TeamSettings(
        "en",
        "GB IE US CA AU",
        "baggage, refunds, delays",
        "round_robin",
        "Europe/London",
        EVERY_DAY,
        HOLIDAYS,
    ),
    "Atención al cliente": TeamSettings(
        "es pt", "ES MX AR CO PT BR", "", "least_load", "Europe/Madrid", OFFICE, "2026-12-25 Navidad"
    ),
    "Kundenservice": TeamSettings("de nl", "DE AT CH NL BE", "", "manual", "Europe/Berlin", OFFICE, ""),
    "Service client": TeamSettings("fr it", "FR BE IT", "", "manual", "Europe/Paris", OFFICE, ""),
    "日本語サポート": TeamSettings("ja", "JP", "", "manual", "Asia/Tokyo", OFFICE, ""),
    NORDIC_TEAM: TeamSettings("sv da no nb fi", "SE DK NO FI", "", "round_robin", "Europe/Stockholm", "", ""),
}

# (e-mail, name, teams, capacity, presence); the first team listed is where they work
AGENTS = (
    ("priya@skylark-air.example", "Priya Shah", ("Customer Care",), 6, "online"),
    ("mateo@skylark-air.example", "Mateo García", ("Atención al cliente",), 8, "online"),
    ("lena@skylark-air.example", "Lena Vogel", ("Kundenservice",), 5, "offline"),
    ("sven@skylark-air.example", "Sven Lind", (NORDIC_TEAM,), 3, "offline"),
)

POLICIES = [
    PolicyInput("urgent", 15, 15, 4 * 60, business_hours=False),
    PolicyInput("high", 30, 30, 8 * 60, business_hours=False),
    PolicyInput("normal", 60, 60, 24 * 60, business_hours=True),
    PolicyInput("low", 4 * 60, 4 * 60, 3 * 24 * 60, business_hours=True),
]


def seed_assignment(db: Database, workspace_id: int, password: str) -> None:
    """Teams' settings, SLA policies and the extra agents (idempotent; agents keep their presence)."""
    with db.write() as session:
        ensure_team(session, workspace_id, NORDIC_TEAM, TEAMS[NORDIC_TEAM].languages, is_default=False)
        workspace = session.get_one(Workspace, workspace_id)
        teams = {t.name: t for t in session.scalars(select(Team).where(Team.workspace_id == workspace_id))}
        created = []
        for email, name, team_names, _capacity, _presence in AGENTS:
            if session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
                continue
            agent = create_agent(session, workspace, email, name, password)
            agent.teams = [teams[t] for t in team_names if t in teams]  # not the default team
            created.append(email)
        ids = {
            a.email: a.id for a in session.scalars(select(Agent).where(Agent.workspace_id == workspace_id))
        }
        team_ids = {name: team.id for name, team in teams.items()}
    for name, settings in TEAMS.items():
        if name in team_ids:
            update_team(db, workspace_id, team_ids[name], settings)
    save_policies(db, workspace_id, POLICIES)
    for email, _name, _teams, capacity, presence in AGENTS:
        if email in created:
            set_capacity(db, workspace_id, ids[email], capacity)
            set_presence(db, workspace_id, ids[email], presence)
