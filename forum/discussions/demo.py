"""Discussions of the demo meeting: a plenary thread on each theme the founding document names for
the High-level Dialogue (GB.316/POL/1, paragraph 19) and a caucus thread for each group.

Everything is written through the services, as its authors would, so that the audit log, the
search index, mentions and read markers are what they would be. Idempotent: a thread whose title
already exists in its space is left alone, replies included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from forum.accounts.services import user_by_email
from forum.discussions import services
from forum.discussions.models import Post, Thread
from forum.extensions import db
from forum.meetings.models import Group, Meeting, Space, SpaceKind


@dataclass(frozen=True)
class Reply:
    author: str  # e-mail of a demo account
    body: str
    to: int | None = None  # index of the earlier reply answered; None answers the thread


@dataclass(frozen=True)
class DemoThread:
    space: str  # "plenary" or a group's value
    author: str
    title: str
    body: str
    replies: tuple[Reply, ...] = field(default_factory=tuple)
    pinned_by: str = ""


THREADS: tuple[DemoThread, ...] = (
    DemoThread(
        "plenary", "secretariat1@demo.forum", "How the forum works: discussions between sittings",
        "These discussions run alongside the sittings. Each group also has its own caucus space, which only "
        "its members can read.\n\n"
        "- Keep one subject per thread, and reply to the post you are answering.\n"
        "- Mention a participant with `@[Full Name]`: they are notified if they can see the thread.\n"
        "- Official records are the sittings and the report; nothing said here is a decision.",
        pinned_by="secretariat1@demo.forum",
    ),
    DemoThread(
        "plenary", "chair@demo.forum", "Theme 1: the contribution of migration and migrants to development",
        "To prepare the general discussion under agenda item 2, I invite the groups to share the evidence they "
        "rely on. Remittances are the figure everyone quotes; what else should the conclusions recognise — "
        "skills brought home, businesses started, taxes paid in the country of work?\n\n"
        "@[Maria Santos Reyes], as Reporter, you may wish to follow this thread.",
        (
            Reply("emp.spokesperson@demo.forum",
                  "Employers see migration contribute most where it answers real shortages. The conclusions "
                  "should say that labour market needs, identified with the social partners, are the starting "
                  "point; development gains follow from well-matched jobs."),
            Reply("wkr.spokesperson@demo.forum",
                  "Matched jobs, yes — but a worker who paid a recruiter three months' wages and is underpaid on "
                  "arrival contributes little to anyone's development. Decent work is the condition for the "
                  "contribution, not a by-product of it.", to=0),
            Reply("emp.spokesperson@demo.forum",
                  "We do not disagree on fees; we can come back to that under the fair recruitment item.", to=1),
            Reply("gov.canada@demo.forum",
                  "Our experience with return and circular programmes suggests that portability of social "
                  "security entitlements matters as much as remittance costs. It could be named explicitly."),
        ),
    ),
    DemoThread(
        "plenary", "gov.southafrica@demo.forum", "Theme 2: mainstreaming migration in development planning",
        "Speaking for the Africa group: migration is still handled by interior ministries alone in many "
        "countries. We would like the conclusions to encourage labour ministries, and the social partners, to "
        "be part of national development planning where migration is concerned.",
        (
            Reply("gov.bangladesh@demo.forum",
                  "Agreed. Countries of origin also need labour market information from countries of destination "
                  "to plan training; that is a practical form of mainstreaming."),
            Reply("emp.india@demo.forum",
                  "Employers' organisations can contribute the skills forecasts they already produce."),
        ),
    ),
    DemoThread(
        "plenary", "wkr.spokesperson@demo.forum", "Theme 3: irregular migration and the protection of workers",
        "Whatever their status, migrant workers keep their fundamental rights at work. We ask that the "
        "conclusions say so plainly, and that labour inspection be kept apart from immigration enforcement so "
        "that workers can report abuse without fear.",
        (
            Reply("gov.jordan@demo.forum",
                  "Jordan supports the principle. Firewalls between inspection and enforcement need careful "
                  "drafting; we would welcome examples of practice from other countries."),
            Reply("emp.lebanon@demo.forum",
                  "Employers have an interest in regular channels that work: irregularity grows where legal "
                  "routes are slow or too costly."),
        ),
    ),
    DemoThread(
        "plenary", "gov.brazil@demo.forum", "Theme 4: partnerships and cooperation",
        "How should this forum connect with the Global Forum on Migration and Development and with regional "
        "processes? GRULAC would favour a short report from this meeting to those bodies, prepared by the "
        "Office and agreed by the officers.",
        (
            Reply("wkr.philippines@demo.forum",
                  "Provided the report carries the views of all three groups, not a summary that loses them."),
        ),
    ),
    DemoThread(
        Group.government.value, "gov.brazil@demo.forum", "Coordinating Government statements on recruitment costs",
        "Several regional groups will speak on recruitment costs under item 2. Could coordinators share their "
        "draft lines here by Tuesday noon, so that we avoid contradicting each other in the room?",
        (
            Reply("gov.southafrica@demo.forum",
                  "The Africa group line will support zero fees for workers, with a reference to bilateral "
                  "agreements. Draft to follow."),
            Reply("gov.germany@demo.forum",
                  "Noted; we will align the European statement on the reference to bilateral agreements.", to=0),
        ),
    ),
    DemoThread(
        Group.employer.value, "emp.secretary@demo.forum", "Employers' position on skills recognition (item 3)",
        "Draft position for discussion: support mutual recognition frameworks built with employers' "
        "organisations; caution against a single binding global scheme. Comments before the group meeting, "
        "please.",
        (
            Reply("emp.spokesperson@demo.forum",
                  "I can present this line. Let us add a sentence on micro-credentials."),
            Reply("emp.japan@demo.forum", "Agree with the caution; sector-based schemes have worked better for us."),
        ),
    ),
    DemoThread(
        Group.worker.value, "wkr.secretary@demo.forum", "Workers' line on recruitment fees and contract substitution",
        "Proposed line for the Workers' group: no fees or related costs charged to workers, and the contract "
        "signed before departure is the one that applies on arrival. Amendments will follow this line.",
        (
            Reply("wkr.nepal@demo.forum",
                  "From Nepal's experience: please mention contract substitution explicitly, it is the most "
                  "common complaint. @[Grace Mensah], could you raise it in the plenary?"),
            Reply("wkr.spokesperson@demo.forum", "Yes, I will raise it under item 2.", to=0),
        ),
    ),
)


def _spaces(meeting: Meeting) -> dict[str, Space]:
    spaces = {}
    for space in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)):
        if space.kind is SpaceKind.plenary:
            spaces["plenary"] = space
        elif space.kind is SpaceKind.group and space.group is not None:
            spaces[space.group.value] = space
    return spaces


def load_demo_discussions(meeting: Meeting) -> int:
    """Write the demo threads the meeting does not have yet; returns how many were started."""
    spaces = _spaces(meeting)
    started = 0
    for demo in THREADS:
        space = spaces[demo.space]
        exists = db.session.scalar(sa.select(Thread.id).where(Thread.space_id == space.id, Thread.title == demo.title))
        if exists is not None:
            continue
        thread = services.start_thread(user_by_email(demo.author), space, title=demo.title, body=demo.body)
        posts: list[Post] = []
        for item in demo.replies:
            parent = posts[item.to] if item.to is not None else None
            posts.append(services.reply(user_by_email(item.author), thread, body=item.body,
                                        parent_id=parent.id if parent else None))
        if demo.pinned_by:
            services.set_pinned(user_by_email(demo.pinned_by), thread, True)
        started += 1
    return started
