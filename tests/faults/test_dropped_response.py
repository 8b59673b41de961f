"""A duplicate submission after a dropped response: the amendment reaches the server, the answer
is lost on the way back (a proxy drops the connection), the client retries with the same
`Idempotency-Key` and gets the first answer — one amendment, one number. Real server, real TCP."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
import sqlalchemy as sa

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.drafting.models import Amendment
from forum.extensions import db
from tests import drafting_world as dw
from tests.faults.conftest import serve


class DroppingProxy:
    """Forwards a request to the server, waits until the server has started answering (so the
    request was processed), then closes the client's connection without passing a byte back."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.dropped = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client, socket.create_connection(("127.0.0.1", self.target_port), timeout=30) as upstream:
                client.settimeout(0.5)
                try:
                    while chunk := client.recv(65536):
                        upstream.sendall(chunk)
                except TimeoutError:
                    pass  # the whole request is in
                if upstream.recv(1):  # the server has processed it and begun its answer
                    self.dropped += 1
                client.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    yield from serve(database_url, tmp_path_factory.mktemp("dropped"))


def test_duplicate_amendment_after_a_dropped_response_replays_the_first(server, make_user, make_meeting,
                                                                      make_participant):
    w = dw.build(make_user, make_meeting, make_participant)
    with unit_of_work():
        token = create_token(db.session.merge(w.u["kenya"]), "delegation laptop")
    paragraph_id = dw.para(w, "2").id
    body = {"kind": "modify", "language": "en", "explanation": "Urgency.",
            "text": "Member States should promptly ratify the relevant international labour standards."}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "kenya-2027-06-12-0931"}
    port = int(server.rsplit(":", 1)[1])
    proxy = DroppingProxy(port)
    try:
        with pytest.raises(requests.ConnectionError):
            requests.post(f"http://127.0.0.1:{proxy.port}/api/v1/paragraphs/{paragraph_id}/amendments", json=body,
                          headers=headers, timeout=30)
    finally:
        proxy.close()
    assert proxy.dropped == 1
    db.session.rollback()
    filed = list(db.session.scalars(sa.select(Amendment).where(Amendment.draft_id == w.draft_id)))
    assert len(filed) == 1  # the server did file it: only the answer was lost

    retry = requests.post(f"{server}/api/v1/paragraphs/{paragraph_id}/amendments", json=body, headers=headers,
                          timeout=30)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == filed[0].id and retry.json()["label"] == "D.1"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)
                             .where(Amendment.draft_id == w.draft_id)) == 1

    fresh = requests.post(f"{server}/api/v1/paragraphs/{paragraph_id}/amendments", json=body,
                          headers={**headers, "Idempotency-Key": "kenya-2027-06-12-0932"}, timeout=30)
    assert fresh.status_code == 201 and fresh.json()["label"] == "D.2"  # a new key is a new submission
