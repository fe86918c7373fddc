"""Meta: Facebook Pages and Instagram professional accounts, two connectors sharing one package.

`webhooks` reads Meta's webhook bodies, `pages` the Graph API pages that polling fetches, `posts` what
both turn Meta's objects into, `graph` the Graph API's addresses and refusals, and `connector` puts them
together as the `FACEBOOK` and `INSTAGRAM` connectors the registry names.
"""

from socialdesk.channels.meta.connector import FACEBOOK_CONNECTOR as FACEBOOK
from socialdesk.channels.meta.connector import INSTAGRAM_CONNECTOR as INSTAGRAM

__all__ = ["FACEBOOK", "INSTAGRAM"]
