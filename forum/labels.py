"""Translated labels for the domain's codes: pages and exports render codes through these."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from forum.meetings.models import BodyType, Capacity, Group, OfficeRole, SpaceKind

GROUP = {Group.government: _l("Government group"), Group.employer: _l("Employers' group"),
         Group.worker: _l("Workers' group"), Group.none: _l("No group")}
CAPACITY = {Capacity.delegate: _l("delegate"), Capacity.substitute: _l("substitute"),
            Capacity.adviser: _l("adviser"), Capacity.observer: _l("observer"),
            Capacity.secretariat: _l("secretariat")}
OFFICE = {OfficeRole.chair: _l("Chairperson"), OfficeRole.vice_chair: _l("Vice-Chairperson"),
          OfficeRole.reporter: _l("Reporter"), OfficeRole.spokesperson: _l("Spokesperson"),
          OfficeRole.group_secretary: _l("Group secretary"), OfficeRole.coordinator: _l("Regional coordinator")}
BODY = {BodyType.committee: _l("Committee"), BodyType.plenary: _l("Plenary"),
        BodyType.experts: _l("Meeting of experts"), BodyType.governing_body: _l("Governing Body")}
SPACE_KIND = {SpaceKind.plenary: _l("Plenary"), SpaceKind.group: _l("Group caucus"),
              SpaceKind.regional: _l("Regional group"), SpaceKind.drafting: _l("Drafting group"),
              SpaceKind.officers: _l("Officers"), SpaceKind.delegation: _l("Delegation")}


def _label(table: dict, value: enum.Enum | None) -> str:
    return str(table.get(value, getattr(value, "value", ""))) if value is not None else ""


def group_label(value: Group | None) -> str:
    return _label(GROUP, value)


def capacity_label(value: Capacity | None) -> str:
    return _label(CAPACITY, value)


def office_label(value: OfficeRole | None) -> str:
    return _label(OFFICE, value)


def body_label(value: BodyType | None) -> str:
    return _label(BODY, value)


def space_kind_label(value: SpaceKind | None) -> str:
    return _label(SPACE_KIND, value)
