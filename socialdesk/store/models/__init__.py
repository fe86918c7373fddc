"""Every table SocialDesk stores. Importing this package registers them all on `Base.metadata`."""

from socialdesk.store.models.agent import Agent, ApiToken, AuthSession, Team, team_members
from socialdesk.store.models.approvals import ReplyDraft
from socialdesk.store.models.base import Base
from socialdesk.store.models.conversation import Case, Conversation, Note, Tag, case_tags
from socialdesk.store.models.customer import Customer, Identity
from socialdesk.store.models.handoff import (
    PrivateHandoff,
    PrivateHandoffSettings,
    PrivateSession,
    PrivateSignInCode,
    VerifiedIdentity,
)
from socialdesk.store.models.job import Job
from socialdesk.store.models.macros import Macro
from socialdesk.store.models.mentions import Mention
from socialdesk.store.models.post import Post
from socialdesk.store.models.profiles import CustomerLabel, SatisfactionRating
from socialdesk.store.models.routing import RoutingRule, RoutingRun
from socialdesk.store.models.segments import Segment
from socialdesk.store.models.sla import ServiceLevelPolicy, SlaAttainment, TeamHoliday
from socialdesk.store.models.triage import TopicModel, TriageFeedback
from socialdesk.store.models.views import CaseMerge, SavedView
from socialdesk.store.models.workspace import ChannelAccount, ChannelCursor, Workspace

__all__ = [
    "Agent",
    "ApiToken",
    "AuthSession",
    "Base",
    "Case",
    "CaseMerge",
    "ChannelAccount",
    "ChannelCursor",
    "Conversation",
    "Customer",
    "CustomerLabel",
    "Identity",
    "Job",
    "Macro",
    "Mention",
    "Note",
    "Post",
    "PrivateHandoff",
    "PrivateHandoffSettings",
    "PrivateSession",
    "PrivateSignInCode",
    "ReplyDraft",
    "RoutingRule",
    "RoutingRun",
    "SatisfactionRating",
    "SavedView",
    "Segment",
    "ServiceLevelPolicy",
    "SlaAttainment",
    "Tag",
    "Team",
    "TeamHoliday",
    "TopicModel",
    "TriageFeedback",
    "VerifiedIdentity",
    "Workspace",
    "case_tags",
    "team_members",
]
