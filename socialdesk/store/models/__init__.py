"""Every table SocialDesk stores. Importing this package registers them all on `Base.metadata`."""

from socialdesk.store.models.agent import Agent, ApiToken, AuthSession, Team, team_members
from socialdesk.store.models.base import Base
from socialdesk.store.models.conversation import Case, Conversation, Note, Tag, case_tags
from socialdesk.store.models.customer import Customer, Identity
from socialdesk.store.models.job import Job
from socialdesk.store.models.post import Post
from socialdesk.store.models.triage import TopicModel, TriageFeedback
from socialdesk.store.models.workspace import ChannelAccount, ChannelCursor, Workspace

__all__ = [
    "Agent",
    "ApiToken",
    "AuthSession",
    "Base",
    "Case",
    "ChannelAccount",
    "ChannelCursor",
    "Conversation",
    "Customer",
    "Identity",
    "Job",
    "Note",
    "Post",
    "Tag",
    "Team",
    "TopicModel",
    "TriageFeedback",
    "Workspace",
    "case_tags",
    "team_members",
]
