"""Mastodon: notifications and the streaming API in; replies, direct messages and favourites out.

The account: `handle` is the brand's acct ("skylarkair", or "skylarkair@mastodon.social"),
`external_id` its account id on its server, the credential an OAuth access token of that account;
settings: `api_base` (the server, https://mastodon.social by default), `streaming_base` (when the
streaming server has a host of its own and the REST host does not redirect to it), `queries` (for
the "search" source: "#tag" reads a hashtag timeline, other words full-text search),
`max_characters` (a server's own limit, which `check` reports), `reply_visibility` (public, unlisted
or private; public by default), `domain` (the server's domain, when it is not the handle's).

Decisions the documentation leaves open:

- A status's text is its HTML content as the author typed it (`text.html_to_text`); a content warning
  (spoiler_text) comes first, a blank line, then the content: both were written by the author, and the
  warning is what readers see first. Media stay in `raw`.
- A boost carries no words of the booster: it makes no post (its original reached us on its own, as a
  mention, if it concerned the brand).
- Direct messages (visibility "direct") thread by `conversation_key` "dm:<ids>": the sorted account ids
  of everyone in the message, the author and every account mentioned (the brand among them), as the
  brand's server numbers them. Statuses carry no conversation id (the Conversation entity is per
  viewer and absent from notifications); the participants are what makes one customer's DMs one
  conversation, and the brand's answer, which mentions them, falls in the same one. Public statuses
  have no thread id: their key is None, they thread by in_reply_to.
- Notifications: mention and quote make posts; status and update (an edit of a status the brand
  boosted) only when the status is addressed to the brand; stream `update` events (the home timeline)
  likewise. An edit is the status again with `edited_at`; a stream `delete` a PostDeletion.
- A reply needs the @mention of whom it answers (Mastodon notifies, and a direct status reaches, only
  the accounts mentioned): a public reply gets "@customer " in front unless the text has it, a private
  one every participant's; the server's character limit counts those mentions (by their @user part).
"""

from socialdesk.channels.mastodon.connector import CONNECTOR, MastodonConnector

__all__ = ["CONNECTOR", "MastodonConnector"]
