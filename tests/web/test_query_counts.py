"""Pages run a bounded number of SQL statements, whatever the size of the meeting (no N+1)."""

from __future__ import annotations


def _big_meeting(make_meeting, make_participant, n: int):
    meeting = make_meeting()
    states = ["KE", "BR", "JP", "FR", "ZA", "IN", "MX", "DE", "NG", "PH", "CA", "EG"]
    for i in range(n):
        make_participant(meeting, "government", member_state=states[i % len(states)])
    return meeting


def test_dashboard_query_count_does_not_grow_with_the_meeting(make_meeting, make_participant, login, count_queries):
    small = _big_meeting(make_meeting, make_participant, 2)
    me_small = make_participant(small, "government", member_state="KE")
    client = login(me_small.user)
    with count_queries() as few:
        client.get("/")
    big = _big_meeting(make_meeting, make_participant, 24)
    me_big = make_participant(big, "government", member_state="KE")
    client = login(me_big.user)
    with count_queries() as many:
        client.get("/")
    assert many.n == few.n, many.statements
    assert many.n <= 12, many.statements


def test_meeting_page_query_count_is_bounded(make_meeting, make_participant, login, count_queries):
    meeting = _big_meeting(make_meeting, make_participant, 24)
    me = make_participant(meeting, "government", member_state="KE")
    client = login(me.user)
    with count_queries() as counter:
        response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    assert counter.n <= 10, counter.statements
