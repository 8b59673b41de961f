"""Meetings: participants, memberships, regional groups, officers, spaces and the programme."""
