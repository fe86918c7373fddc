"""Agents and how they prove who they are: passwords, browser sessions, API tokens."""
