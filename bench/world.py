"""The live-sitting benchmarks' world: the export draft (60 paragraphs, 300 amendments, bench/exports.py)
in a plenary meeting with up to 750 voting delegates, watchers, a live sitting on that draft and
an API token for everyone (the load generator connects with tokens, as room displays do).

Built in-process through the services (the draft, the sitting's commands, the tokens) into the
database named by FORUM_DATABASE_URL; the people are inserted directly, in bulk, because 1,000
sign-ups through the pages would take longer than the benchmarks themselves.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# A cheap hash: the world's people never sign in with a password except the B8 delegate.
PASSWORD = "bench password"


def build(app: Any, voters: int, watchers: int, thread_posts: int = 0) -> dict[str, Any]:
    import exports
    import pycountry
    from werkzeug.security import generate_password_hash

    from forum.accounts.models import User
    from forum.accounts.services import create_token
    from forum.db import unit_of_work, utcnow
    from forum.drafting.models import Draft, Paragraph
    from forum.extensions import db
    from forum.meetings import programme
    from forum.meetings.models import (
        BodyType,
        Capacity,
        Group,
        Meeting,
        Membership,
        Participant,
        QuorumRule,
        Space,
        SpaceKind,
    )
    from forum.sittings import services

    draft_id, _count = exports.build(app)
    states = [c.alpha_2 for c in pycountry.countries]
    hashed = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        meeting_id = draft.meeting_id
        with unit_of_work():
            meeting = db.session.get(Meeting, meeting_id)
            # Plenary: every delegate votes individually (rule 3), so 750 voters are 750 seats.
            meeting.body_type, meeting.quorum_rule = BodyType.plenary, QuorumRule.none
            people: list[tuple[str, int]] = []
            for i in range(voters + watchers):
                user = User(email=f"v{i}@bench", name=f"Delegate {i}", password_hash=hashed, session_generation=1)
                db.session.add(user)
                people.append(("voter" if i < voters else "watcher", 0))
                db.session.flush()
                if i < voters:
                    group = (Group.government, Group.employer, Group.worker)[i % 3]
                    p = Participant(meeting_id=meeting_id, user_id=user.id, group=group, capacity=Capacity.delegate,
                                    member_state=states[i % len(states)] if group is Group.government else None)
                else:
                    p = Participant(meeting_id=meeting_id, user_id=user.id, group=Group.none,
                                    capacity=Capacity.observer)
                p.memberships.append(Membership(kind="regular", effective_from=date(2000, 1, 1)))
                db.session.add(p)
                people[-1] = (people[-1][0], user.id)
        staff = db.session.scalars(db.select(User).where(User.email == "sec@bench")).one()
        chair = db.session.scalars(db.select(User).where(User.email == "chair@bench")).one()
        with unit_of_work():
            sitting = programme.schedule_sitting(staff, db.session.get(Meeting, meeting_id), title="Bench sitting",
                                                 starts_at=utcnow() - timedelta(minutes=5))
        sitting_id = sitting.id
        with unit_of_work():
            services.run_command(staff, sitting, "make_live", {"draft_id": draft_id})
        with unit_of_work():
            services.run_command(chair, sitting, "open", {})
        pending = list(db.session.scalars(db.select(Paragraph.id).where(
            Paragraph.draft_id == draft_id, Paragraph.label != "preamble").order_by(Paragraph.position.desc())))
        with unit_of_work():
            services.run_command(chair, sitting, "set_item", {"kind": "paragraph", "id": pending[0]})
        tokens: dict[str, Any] = {"voters": [], "watchers": []}
        with unit_of_work():
            tokens["chair"] = create_token(chair, "bench")
            tokens["secretariat"] = create_token(staff, "bench")
            for kind, user_id in people:
                tokens[kind + "s"].append(create_token(db.session.get(User, user_id), "bench"))
        thread: dict[str, Any] = {}
        if thread_posts:
            thread = _thread(app, meeting_id, people[0][1], thread_posts)
        government_space = db.session.scalars(db.select(Space.id).where(
            Space.meeting_id == meeting_id, Space.kind == SpaceKind.group, Space.group == Group.government)).first()
    return {"meeting_id": meeting_id, "draft_id": draft_id, "sitting_id": sitting_id, "tokens": tokens,
            "voter_email": "v0@bench", "password": PASSWORD, "thread": thread, "government_space": government_space}


def _thread(app: Any, meeting_id: int, author_id: int, posts: int) -> dict[str, Any]:
    """A thread of `posts` posts in the Government group's space, written by its delegates."""
    from forum.accounts.models import User
    from forum.db import unit_of_work
    from forum.discussions import services as discussions
    from forum.extensions import db
    from forum.meetings.models import Group, Space, SpaceKind

    space = db.session.scalars(db.select(Space).where(Space.meeting_id == meeting_id, Space.kind == SpaceKind.group,
                                                      Space.group == Group.government)).one()
    author = db.session.get(User, author_id)
    with unit_of_work():
        thread = discussions.start_thread(author, space, title="Long thread",
                                          body="Opening post of a long thread about **recruitment fees**.")
    thread_id = thread.id
    for i in range(posts - 1):
        with unit_of_work():
            from forum.discussions.models import Thread

            discussions.reply(author, db.session.get(Thread, thread_id),
                              body=f"Reply {i}: the Government group should consider paragraph {i % 60}.")
    return {"space_id": space.id, "thread_id": thread_id}


def main() -> None:
    """`python bench/world.py VOTERS WATCHERS POSTS OUT.json` with FORUM_DATABASE_URL set (migrated)."""
    from flask_migrate import upgrade

    from forum import create_app

    voters, watchers, posts, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    world = build(app, voters, watchers, posts)
    Path(out).write_text(json.dumps(world))


if __name__ == "__main__":
    main()
