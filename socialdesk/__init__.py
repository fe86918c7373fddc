"""SocialDesk: social customer service, from a customer's post to an agent's answer."""

__version__ = "0.1.0"
