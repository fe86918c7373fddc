"""Deciding where a case goes: rules that pick a team, and the service-level clocks."""
