"""The demo meeting: a first meeting of the Global Tripartite Forum on Labour Migration.

The forum is the one the founding document proposes (GB.316/POL/1, paragraph 20(b)): a global
tripartite forum to discuss labour migration and share experiences. The demo gives it the
composition of a tripartite technical meeting on labour migration — 12 Government, 12 Employer
and 12 Worker members — with its officers, group secretaries, regional coordinators, a secretariat
of two and two observers, and a three-day programme starting today in the meeting's time zone.

Participants are accredited through the same CSV import the secretariat uses, so the demo also
exercises it. Loading is idempotent: a second run finds the meeting and its people and changes
nothing; it prints the same accounts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from forum.accounts.models import User
from forum.accounts.services import create_user, user_by_email
from forum.discussions.demo import load_demo_discussions
from forum.documents.demo import load_demo_documents
from forum.drafting.demo import load_draft_demo
from forum.extensions import db
from forum.meetings import programme
from forum.meetings.accreditation import import_participants
from forum.meetings.models import AgendaItem, BodyType, Meeting, QuorumRule, Sitting, WeightingMode
from forum.meetings.services import create_meeting
from forum.positions.demo import load_positions_demo
from forum.positions.vote_demo import load_votes_demo
from forum.proceedings.demo import load_proceedings_demo

DEMO_PASSWORD = "labour-migration-demo"
DEMO_TITLE = "Global Tripartite Forum on Labour Migration"
DEMO_MARK = "gtflm-demo"  # kept in Meeting.settings, so that a second run finds the meeting
TIMEZONE = "Europe/Zurich"  # Geneva
DAYS = 3


@dataclass(frozen=True)
class Person:
    """One demo account and, unless `meeting` is False, its accreditation row."""

    email: str
    name: str
    role: str
    group: str = "none"
    capacity: str = "delegate"
    member_state: str = ""
    regional_groups: str = ""
    membership: str = ""
    roles: str = ""
    staff: bool = False
    admin: bool = False
    meeting: bool = True

    def csv_row(self) -> list[str]:
        return [self.email, self.name, self.group, self.capacity, self.member_state, self.regional_groups,
                self.membership, self.roles]


def _gov(slug: str, name: str, state: str, country: str, **kw: Any) -> Person:
    return Person(f"gov.{slug}@demo.forum", name, kw.pop("role", f"Government delegate ({country})"),
                  "government", member_state=state, **kw)


def _emp(slug: str, name: str, state: str, country: str) -> Person:
    return Person(f"emp.{slug}@demo.forum", name, f"Employer member ({country})", "employer", member_state=state)


def _wkr(slug: str, name: str, state: str, country: str) -> Person:
    return Person(f"wkr.{slug}@demo.forum", name, f"Worker member ({country})", "worker", member_state=state)


# Officers first, then the groups; the order is the order in which the accounts are printed.
PEOPLE: tuple[Person, ...] = (
    Person("chair@demo.forum", "Amani Wanjiru", "Chairperson (Government of Kenya)", "government",
           member_state="KE", roles="chair"),
    Person("emp.spokesperson@demo.forum", "Henrik Lindqvist", "Employer Vice-Chairperson and spokesperson (Sweden)",
           "employer", member_state="SE", roles="vice_chair;spokesperson"),
    Person("wkr.spokesperson@demo.forum", "Grace Mensah", "Worker Vice-Chairperson and spokesperson (Ghana)",
           "worker", member_state="GH", roles="vice_chair;spokesperson"),
    _gov("philippines", "Maria Santos Reyes", "PH", "Philippines", role="Reporter (Government of the Philippines)",
         roles="reporter"),
    Person("secretariat1@demo.forum", "Ingrid Falk", "Meeting secretariat (staff; created the meeting)",
           capacity="secretariat", staff=True),
    Person("secretariat2@demo.forum", "Kofi Boateng", "Meeting secretariat", capacity="secretariat"),
    Person("emp.secretary@demo.forum", "Sophie Laurent", "Employers' group secretary", "employer",
           capacity="adviser", membership="none", roles="group_secretary"),
    Person("wkr.secretary@demo.forum", "Tomás Silva", "Workers' group secretary", "worker",
           capacity="adviser", membership="none", roles="group_secretary"),
    _gov("southafrica", "Thandiwe Mokoena", "ZA", "South Africa",
         role="Government delegate (South Africa), Africa group coordinator",
         regional_groups="AFRICA", roles="coordinator"),
    _gov("brazil", "Beatriz Carvalho", "BR", "Brazil", role="Government delegate (Brazil), GRULAC coordinator",
         regional_groups="GRULAC", roles="coordinator"),
    _gov("senegal", "Moussa Diop", "SN", "Senegal"),
    _gov("mexico", "Alejandro Ruiz Castañeda", "MX", "Mexico"),
    _gov("canada", "Claire Tremblay", "CA", "Canada"),
    _gov("jordan", "Rania Haddad", "JO", "Jordan"),
    _gov("qatar", "Khalid Al-Mansouri", "QA", "Qatar"),
    _gov("bangladesh", "Farhana Rahman", "BD", "Bangladesh"),
    _gov("germany", "Jonas Becker", "DE", "Germany"),
    _gov("italy", "Giulia Romano", "IT", "Italy"),
    _gov("kenya", "Peter Otieno", "KE", "Kenya", role="Government adviser (Kenya)", capacity="adviser"),
    _emp("nigeria", "Chinedu Okafor", "NG", "Nigeria"),
    _emp("argentina", "Lucía Fernández", "AR", "Argentina"),
    _emp("india", "Arjun Mehta", "IN", "India"),
    _emp("japan", "Haruki Sato", "JP", "Japan"),
    _emp("lebanon", "Nadim Khoury", "LB", "Lebanon"),
    _emp("france", "Élise Moreau", "FR", "France"),
    _emp("southafrica", "Sipho Ndlovu", "ZA", "South Africa"),
    _emp("colombia", "Andrés Gómez", "CO", "Colombia"),
    _emp("indonesia", "Dewi Lestari", "ID", "Indonesia"),
    _emp("unitedstates", "Rachel Cohen", "US", "United States"),
    _emp("egypt", "Omar Farouk", "EG", "Egypt"),
    _wkr("brazil", "João Pereira", "BR", "Brazil"),
    _wkr("nepal", "Sunita Gurung", "NP", "Nepal"),
    _wkr("philippines", "Rodel Bautista", "PH", "Philippines"),
    _wkr("morocco", "Youssef Benali", "MA", "Morocco"),
    _wkr("bahrain", "Ali Hassan", "BH", "Bahrain"),
    _wkr("spain", "Carmen Ortega", "ES", "Spain"),
    _wkr("kenya", "Wanjiku Kamau", "KE", "Kenya"),
    _wkr("mexico", "Diego Hernández", "MX", "Mexico"),
    _wkr("srilanka", "Nimal Perera", "LK", "Sri Lanka"),
    _wkr("canada", "Sarah MacDonald", "CA", "Canada"),
    _wkr("australia", "Liam O'Connor", "AU", "Australia"),
    Person("observer.igo@demo.forum", "Hana Yilmaz", "Observer (an intergovernmental organisation)",
           capacity="observer"),
    Person("observer.thailand@demo.forum", "Somchai Wongsakul", "Government observer (Thailand)", "government",
           capacity="observer", member_state="TH"),
    Person("staff@demo.forum", "Nadia Petrova", "Staff (may create meetings; in no meeting)", staff=True,
           meeting=False),
    Person("admin@demo.forum", "Ola Nordmann", "Administrator (manages accounts; in no meeting)", admin=True,
           meeting=False),
)
CREATOR = "secretariat1@demo.forum"

AGENDA = (
    ("1", "Opening of the meeting and election of the officers"),
    ("2", "Fair recruitment and the protection of migrant workers: general discussion"),
    ("3", "Recognition of skills and qualifications across borders: general discussion"),
    ("4", "Consideration and adoption of the conclusions of the meeting"),
)
# (day index, start, end, title, room, agenda item number)
SITTINGS = (
    (0, time(10, 0), time(13, 0), "First sitting", "Room II", "1"),
    (0, time(14, 30), time(17, 30), "Second sitting", "Room II", "2"),
    (1, time(10, 0), time(13, 0), "Third sitting", "Room II", "3"),
    (1, time(14, 30), time(18, 0), "Fourth sitting", "Room II", "4"),
    (2, time(10, 0), time(13, 0), "Fifth sitting", "Room II", "4"),
    (2, time(15, 0), time(18, 0), "Closing sitting", "Room II", "4"),
)
# (kind, title, day index, time)
DEADLINES = (
    ("amendments", "Written amendments to the draft conclusions", 0, time(18, 0)),
    ("sub_amendments", "Written sub-amendments", 1, time(12, 0)),
    ("report_corrections", "Corrections to the draft report of the meeting", DAYS - 1 + 14, time(17, 0)),
)
ANNOUNCEMENTS = (
    (0, "Welcome to the first meeting of the Global Tripartite Forum on Labour Migration. "
        "The groups meet before the first sitting: Government group at 9.00 in Room XI, "
        "Employers' group at 9.00 in Room VII, Workers' group at 9.00 in Room VIII."),
    (0, "Written amendments to the draft conclusions are due today at 18.00 (Geneva time). "
        "File them through the platform; the secretariat circulates the compilation tomorrow morning."),
)


@dataclass
class DemoResult:
    meeting: Meeting
    created: bool
    accounts: list[tuple[str, str, str]]  # (email, password, role)


def participants_csv() -> bytes:
    """The accreditation file of the demo, as the secretariat would upload it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "group", "capacity", "member_state", "regional_groups", "membership",
                     "roles"])
    for person in PEOPLE:
        if person.meeting and person.email != CREATOR:
            writer.writerow(person.csv_row())
    return out.getvalue().encode()


def find_demo_meeting() -> Meeting | None:
    for meeting in db.session.scalars(sa.select(Meeting).where(Meeting.title == DEMO_TITLE).order_by(Meeting.id)):
        if (meeting.settings or {}).get("demo") == DEMO_MARK:
            return meeting
    return None


def _ensure_accounts() -> dict[str, User]:
    """Create the accounts that do not exist yet; existing ones are left as they are."""
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = user_by_email(person.email)
        if user is None:
            user = create_user(None, person.email, person.name, DEMO_PASSWORD, staff=person.staff,
                               admin=person.admin)
        users[person.email] = user
    return users


def _at(meeting: Meeting, day: int, clock: time) -> datetime:
    assert meeting.starts_on is not None
    return datetime.combine(meeting.starts_on + timedelta(days=day), clock)


def _programme(actor: User, meeting: Meeting) -> None:
    """The programme of work, written once: a meeting that has one already keeps it."""
    has_programme = db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)
                                      .where(AgendaItem.meeting_id == meeting.id)) or \
        db.session.scalar(sa.select(sa.func.count()).select_from(Sitting).where(Sitting.meeting_id == meeting.id))
    if has_programme:
        return
    items = {number: programme.add_agenda_item(actor, meeting, number=number, title=title)
             for number, title in AGENDA}
    for day, start, end, title, room, item in SITTINGS:
        programme.schedule_sitting(actor, meeting, title=title, starts_at=_at(meeting, day, start),
                                   ends_at=_at(meeting, day, end), room=room, agenda_item_id=items[item].id)
    for kind, title, day, clock in DEADLINES:
        programme.set_deadline(actor, meeting, kind=kind, title=title, due_at=_at(meeting, day, clock))
    for day, body in ANNOUNCEMENTS:
        assert meeting.starts_on is not None
        programme.post_announcement(actor, meeting, day=meeting.starts_on + timedelta(days=day), body=body)


def load_demo(today: date | None = None) -> DemoResult:
    """Create (or find) the demo meeting, its accounts, participants and programme.

    Runs as the command line: accounts are created by the host's operator, the meeting by the
    staff member who then heads its secretariat, and everything after by that secretariat.
    """
    users = _ensure_accounts()
    creator = users[CREATOR]
    meeting = find_demo_meeting()
    created = meeting is None
    if meeting is None:
        first = today or datetime.now(ZoneInfo(TIMEZONE)).date()
        meeting = create_meeting(
            creator, title=DEMO_TITLE, symbol_prefix=f"GTFLM/{first.year}", languages=["en", "fr", "es"],
            timezone=TIMEZONE, body_type=BodyType.committee, weighting_mode=WeightingMode.equal_strength,
            quorum_rule=QuorumRule.committee, starts_on=first, ends_on=first + timedelta(days=DAYS - 1),
            venue="Geneva",
        )
        meeting.settings = {**(meeting.settings or {}), "demo": DEMO_MARK}
        db.session.flush()
    import_participants(creator, meeting, participants_csv(), effective_from=meeting.starts_on)
    _programme(creator, meeting)
    load_demo_discussions(meeting)
    load_demo_documents(meeting, users)
    load_draft_demo(meeting, users)
    load_positions_demo(meeting, users)
    load_votes_demo(meeting, users)
    load_proceedings_demo(meeting, users)
    accounts = [(p.email, DEMO_PASSWORD, p.role) for p in PEOPLE]
    return DemoResult(meeting=meeting, created=created, accounts=accounts)
