"""Documents (PROCEDURE.md rules 9 and 14): symbols, reissues, language versions, working-file
versions, withdrawal and who may do what. Bad input changes nothing: no row, no file, no audit entry."""

from __future__ import annotations

import io
import json
import os
import threading
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.documents import queries, services, storage
from forum.documents.models import Document, DocumentKind, DocumentLanguage, DocumentVersion, ReissueKind
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Group, Meeting, Space, SpaceKind
from tests.documents_helpers import EXE, HTML, PDF, stored_files

_n = iter(range(1, 10_000))


def pdf(label: str = "") -> io.BytesIO:
    """A distinct small PDF each call (and each run: the uploads folder outlives a test run), so that
    content-addressing never finds a file a test means to create."""
    return io.BytesIO(PDF + f"% {label} {next(_n)} {os.urandom(8).hex()}\n".encode())


@pytest.fixture
def w(make_user, make_meeting, make_participant) -> SimpleNamespace:
    secretariat = make_user(staff=True, name="Secretariat")
    meeting = make_meeting(secretariat, symbol_prefix="TTMLM/2027")
    ns = SimpleNamespace(meeting=meeting, secretariat=secretariat)
    ns.government = make_participant(meeting, "government", member_state="KE").user
    ns.employer = make_participant(meeting, "employer").user
    ns.worker = make_participant(meeting, "worker").user
    ns.worker2 = make_participant(meeting, "worker").user
    ns.chair = make_participant(meeting, "government", member_state="BR", roles=("chair",)).user
    ns.observer = make_participant(meeting, "none", "observer").user
    ns.spaces = {}
    for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)):
        ns.spaces[(s.kind, s.group.value if s.group else None)] = s
    ns.plenary = ns.spaces[(SpaceKind.plenary, None)]
    ns.workers = ns.spaces[(SpaceKind.group, Group.worker.value)]
    ns.employers = ns.spaces[(SpaceKind.group, Group.employer.value)]
    ns.officers = ns.spaces[(SpaceKind.officers, None)]
    return ns


def get(model: Any, obj: Any) -> Any:
    return db.session.get(model, obj.id)


def publish(w: SimpleNamespace, actor: Any = None, space: Space | None = None, **fields: Any) -> Document:
    values = {"kind": "official", "title": "Report for discussion", "language": "en", "file": pdf(),
              "filename": "report.pdf", "symbol": "TTMLM/2027/1", **fields}
    with unit_of_work():
        return services.publish_document(get(type(actor or w.secretariat), actor or w.secretariat),
                                         get(Space, space or w.plenary), **values)


def working(w: SimpleNamespace, actor: Any = None, space: Space | None = None, **fields: Any) -> Document:
    return publish(w, actor or w.worker, space or w.workers,
                   **{"kind": "working", "symbol": "", "title": "Group draft", "filename": "draft.pdf", **fields})


def state(app: Any) -> dict[str, Any]:
    """Everything a bad upload must leave untouched."""
    count = lambda m: db.session.scalar(sa.select(sa.func.count()).select_from(m))  # noqa: E731
    db.session.rollback()
    return {"documents": count(Document), "versions": count(DocumentVersion), "audit": count(AuditEntry),
            "files": stored_files(app)}


# --- symbols (rule 14) ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("TTMLM/2027/1", "TTMLM/2027/1"),
    ("ttmlm/2027/inf/2", "TTMLM/2027/INF/2"),
    (" TTMLM/2027/WP.3 ", "TTMLM/2027/WP.3"),
])
def test_rule_14_symbols_follow_the_meeting_pattern(w, typed, stored):
    assert services.base_symbol(get(Meeting, w.meeting), typed, {}) == stored


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the document's symbol"),
    ("GB.316/POL/1", "must begin with this meeting's prefix TTMLM/2027/"),
    ("TTMLM/2027", "must begin"),
    ("TTMLM/2027/ 1", "no spaces"),
    ("TTMLM/2027/1(Rev.1)", "get their symbols when the original is reissued"),
    ("TTMLM/2027/1/Add.1", "get their symbols when the original is reissued"),
    ("TTMLM/2027//1", "letters, digits"),
    ("TTMLM/2027/1;DROP", "letters, digits"),
    ("TTMLM/2027/" + "A" * 70, "at most"),
])
def test_rule_14_symbols_outside_the_pattern_are_refused(app, w, typed, message):
    before = state(app)
    with pytest.raises(ValidationFailed) as exc:
        publish(w, symbol=typed)
    assert message in exc.value.fields["symbol"][0]
    assert state(app) == before


@pytest.mark.postgres
def test_rule_14_a_symbol_is_unique_per_meeting_and_language(app, backend, w):
    publish(w)
    before = state(app)
    with pytest.raises(ValidationFailed) as exc:
        publish(w, symbol="ttmlm/2027/1", title="Another")
    assert "already used" in exc.value.fields["symbol"][0]
    assert state(app) == before


@pytest.mark.postgres
def test_rule_14_the_same_symbol_in_french_and_spanish_is_one_document_with_language_versions(backend, w):
    english = publish(w, title="Report")
    french = publish(w, language="fr", title="Rapport")
    spanish = publish(w, language="es", title="Informe")
    assert french.variant_of_id == english.id and spanish.variant_of_id == english.id
    assert [d.language for d in queries.family_of(get(Document, french))] == [
        DocumentLanguage.en, DocumentLanguage.es, DocumentLanguage.fr]
    listed = list(db.session.scalars(queries.visible_documents(w.government, get(Meeting, w.meeting))).unique())
    assert [d.id for d in listed] == [english.id]  # one entry for the family
    in_french = list(db.session.scalars(queries.visible_documents(
        w.government, get(Meeting, w.meeting), language=DocumentLanguage.fr)).unique())
    assert [d.id for d in in_french] == [french.id]


def test_the_same_symbol_may_be_used_in_another_meeting(w, make_meeting):
    other = make_meeting(w.secretariat, symbol_prefix="TTMLM/2027")
    publish(w)
    plenary = db.session.scalars(sa.select(Space).where(Space.meeting_id == other.id,
                                                        Space.kind == SpaceKind.plenary)).one()
    assert publish(w, space=plenary).symbol == "TTMLM/2027/1"


def test_unknown_language_is_refused_and_nothing_is_written(app, w):
    before = state(app)
    with pytest.raises(ValidationFailed) as exc:
        publish(w, language="de")
    assert "English, French, Spanish" in exc.value.fields["language"][0]
    assert state(app) == before


def test_working_files_have_no_symbol_and_official_ones_must(app, w):
    with pytest.raises(ValidationFailed) as exc:
        working(w, symbol="TTMLM/2027/9")
    assert "no symbol" in exc.value.fields["symbol"][0]
    with pytest.raises(ValidationFailed):
        publish(w, symbol="")


def test_agenda_item_must_be_the_meetings(w, make_meeting):
    from forum.meetings import programme

    other = make_meeting(w.secretariat)
    with unit_of_work():
        foreign = programme.add_agenda_item(get(type(w.secretariat), w.secretariat), get(Meeting, other),
                                            number="1", title="Elsewhere")
    with pytest.raises(ValidationFailed) as exc:
        publish(w, agenda_item_id=foreign.id)
    assert "agenda_item_id" in exc.value.fields


# --- official documents are reissued, never replaced ------------------------------------------------------

def test_rule_14_an_official_document_is_never_replaced(app, w):
    original = publish(w)
    before = state(app)
    with pytest.raises(InvalidState, match="Reissue it as a revision, corrigendum or addendum"), unit_of_work():
        services.add_version(get(type(w.secretariat), w.secretariat), get(Document, original), file=pdf(),
                             filename="new.pdf")
    assert state(app) == before
    assert get(Document, original).current_version == 1


def reissue(w: SimpleNamespace, document: Document, kind: str, **fields: Any) -> Document:
    values = {"title": "Report (reissued)", "language": "en", "file": pdf(kind), "filename": "r.pdf", **fields}
    with unit_of_work():
        return services.reissue_document(get(type(w.secretariat), w.secretariat), get(Document, document),
                                         reissue_kind=kind, **values)


@pytest.mark.postgres
def test_rule_14_reissues_get_their_symbols_and_link_to_the_original(backend, w):
    original = publish(w)
    rev1 = reissue(w, original, "revision")
    corr = reissue(w, original, "corrigendum")
    rev2 = reissue(w, rev1, "revision")  # reissuing a reissue reissues the original
    corr2 = reissue(w, original, "corrigendum")
    add1 = reissue(w, original, "addendum")
    assert [d.symbol for d in (rev1, corr, rev2, corr2, add1)] == [
        "TTMLM/2027/1(Rev.1)", "TTMLM/2027/1(Corr.)", "TTMLM/2027/1(Rev.2)", "TTMLM/2027/1(Corr.2)",
        "TTMLM/2027/1/Add.1"]
    assert {d.reissue_of_id for d in (rev1, corr, rev2, corr2, add1)} == {original.id}
    assert get(Document, original).symbol == "TTMLM/2027/1" and get(Document, original).current_version == 1
    reissues = queries.reissues_of([original.id])[original.id]
    assert queries.latest_revision(reissues).id == rev2.id
    marks = queries.status_marks([get(Document, original), get(Document, rev1), get(Document, rev2)])
    assert marks[original.id]["superseded_by"].id == rev2.id
    assert marks[rev1.id]["superseded_by"].id == rev2.id
    assert marks[rev2.id] == {"latest": True}


def test_a_withdrawn_revision_is_not_the_latest_even_where_it_is_still_listed(w):
    original = publish(w)
    rev1 = reissue(w, original, "revision")
    rev2 = reissue(w, original, "revision")
    with unit_of_work():
        services.withdraw_document(get(type(w.secretariat), w.secretariat), get(Document, rev2), reason="In error")
    # The secretariat's page lists the withdrawn Rev.2 with the others; Rev.1 is in force again.
    listed = queries.reissues_of([original.id], include_withdrawn=True)[original.id]
    assert [d.id for d in listed] == [rev1.id, rev2.id]
    assert queries.latest_revision(listed).id == rev1.id
    assert queries.status_marks([get(Document, original)])[original.id]["superseded_by"].id == rev1.id


def test_a_reissue_has_its_own_language_versions(w):
    original = publish(w)
    rev1 = reissue(w, original, "revision")
    with unit_of_work():
        french = services.add_language_version(get(type(w.secretariat), w.secretariat), get(Document, rev1),
                                               language="fr", title="Rapport (révisé)", file=pdf(), filename="r.pdf")
    assert french.symbol == "TTMLM/2027/1(Rev.1)" and french.variant_of_id == rev1.id
    assert french.reissue_of_id == original.id and french.reissue_kind is ReissueKind.revision
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        services.add_language_version(get(type(w.secretariat), w.secretariat), get(Document, rev1),
                                      language="fr", title="Encore", file=pdf(), filename="r.pdf")
    assert "already has a version in this language" in exc.value.fields["language"][0]


def test_only_the_secretariat_reissues(w):
    original = publish(w)
    with pytest.raises(NotAllowed), unit_of_work():
        services.reissue_document(get(type(w.chair), w.chair), get(Document, original), reissue_kind="revision",
                                  title="x", language="en", file=pdf(), filename="x.pdf")


# --- working files have versions --------------------------------------------------------------------------

def add_version(actor: Any, document: Document, data: io.BytesIO | None = None, **kw: Any) -> DocumentVersion:
    with unit_of_work():
        return services.add_version(get(type(actor), actor), get(Document, document), file=data or pdf(),
                                    filename=kw.pop("filename", "draft.pdf"), **kw)


@pytest.mark.postgres
def test_working_file_versions_keep_every_earlier_file(backend, w):
    draft = working(w)
    v2 = add_version(w.worker2, draft, note="After the group meeting")
    v3 = add_version(w.worker, draft, io.BytesIO(b"# Points\n"), filename="draft.md")
    versions = queries.versions_of(get(Document, draft))
    assert [v.number for v in versions] == [3, 2, 1]
    assert len({v.sha256 for v in versions}) == 3
    assert v2.uploaded_by_id == w.worker2.id and v2.note == "After the group meeting"
    assert v3.file_type == "md" and v3.filename == "draft.md" and v3.size == len(b"# Points\n")
    assert get(Document, draft).current_version == 3
    for v in versions:
        assert storage.blob_path(v.sha256).is_file()


def test_an_identical_file_is_not_a_new_version(app, w):
    data = pdf("same").getvalue()
    draft = working(w, file=io.BytesIO(data))
    before = state(app)
    with pytest.raises(ValidationFailed, match="same as version 1"):
        add_version(w.worker, draft, io.BytesIO(data))
    assert state(app) == before


def test_a_version_upload_to_a_withdrawn_document_is_refused(app, w):
    draft = working(w)
    with unit_of_work():
        services.withdraw_document(get(type(w.worker), w.worker), get(Document, draft), reason="Superseded")
    before = state(app)
    with pytest.raises(InvalidState, match="withdrawn"):
        add_version(w.worker, draft)
    assert state(app) == before


def test_bad_files_are_refused_with_nothing_written(app, w):
    before = state(app)
    for data, name in ((EXE, "report.pdf"), (HTML, "report.pdf"), (b"", "empty.pdf")):
        with pytest.raises(ValidationFailed) as exc:
            working(w, file=io.BytesIO(data), filename=name)
        assert exc.value.fields["file"]
    assert state(app) == before


def test_oversized_file_is_refused_with_413(app, w, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    before = state(app)
    with pytest.raises(storage.FileTooLarge) as exc:
        working(w, file=io.BytesIO(PDF + b"0" * (1024 * 1024)))
    assert exc.value.status == 413 and "larger than 1 MB" in exc.value.message
    assert state(app) == before


def test_a_failure_after_the_checks_leaves_no_row_and_no_file(app, w, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record", broken)
    before = state(app)
    with pytest.raises(RuntimeError):
        publish(w)
    assert state(app) == before


def test_a_path_traversal_name_is_stored_safely(w):
    draft = working(w, filename="../../../etc/x.pdf")
    (version,) = queries.versions_of(get(Document, draft))
    assert version.filename == "x.pdf"
    assert storage.blob_path(version.sha256).is_relative_to(storage.upload_root())


# --- double submits -----------------------------------------------------------------------------------

def test_the_same_form_sent_twice_shares_one_document(app, w):
    data = pdf("twice").getvalue()
    first = working(w, file=io.BytesIO(data))
    before = state(app)
    assert working(w, file=io.BytesIO(data)).id == first.id  # no second document, version, entry or file
    assert state(app) == before
    assert working(w, file=pdf("changed")).id != first.id  # another file under the same title is shared
    official = publish(w, file=io.BytesIO(data))
    before = state(app)
    assert publish(w, file=io.BytesIO(data)).id == official.id
    assert state(app) == before
    with pytest.raises(ValidationFailed) as exc:  # the symbol with another file: refused
        publish(w, file=pdf("other"))
    assert "already used" in exc.value.fields["symbol"][0]
    assert state(app) == before


def test_a_reissue_sent_twice_takes_one_number(app, w):
    original = publish(w)
    data = pdf("rev").getvalue()
    rev1 = reissue(w, original, "revision", file=io.BytesIO(data))
    before = state(app)
    assert reissue(w, original, "revision", file=io.BytesIO(data)).id == rev1.id
    assert state(app) == before
    assert reissue(w, original, "revision", file=pdf("rev2")).symbol == "TTMLM/2027/1(Rev.2)"
    assert reissue(w, original, "corrigendum", file=io.BytesIO(data)).symbol == "TTMLM/2027/1(Corr.)"


# --- who may (rule 9) ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_rule_9_who_may_share_where(app, backend, w):
    plenary, workers, officers = get(Space, w.plenary), get(Space, w.workers), get(Space, w.officers)
    assert permissions.can_publish_official_document(w.secretariat, plenary)
    assert not permissions.can_publish_official_document(w.secretariat, officers)
    assert not permissions.can_publish_official_document(w.chair, plenary)
    assert permissions.can_upload_to_space(w.secretariat, plenary)
    assert not permissions.can_upload_to_space(w.government, plenary)
    assert permissions.can_upload_to_space(w.worker, workers)
    assert not permissions.can_upload_to_space(w.employer, workers)
    assert not permissions.can_upload_to_space(w.secretariat, workers)  # the secretariat sees no caucus
    assert not permissions.can_upload_to_space(w.observer, plenary)  # observers read only (rule 5)
    assert permissions.can_upload_to_space(w.chair, officers)


@pytest.mark.postgres
def test_participants_share_in_the_plenary_only_when_the_meeting_allows_it(app, backend, w):
    with pytest.raises(NotAllowed):
        working(w, actor=w.government, space=w.plenary)
    with unit_of_work():
        meeting = get(Meeting, w.meeting)
        meeting.settings = {**(meeting.settings or {}), "participants_share_in_plenary": True}
    shared = working(w, actor=w.government, space=w.plenary, title="A government's note")
    assert shared.space_id == w.plenary.id and shared.kind is DocumentKind.working
    with pytest.raises(NotAllowed):
        publish(w, actor=w.government)  # still no official document


@pytest.mark.postgres
def test_rule_9_a_caucus_document_and_its_versions_are_its_groups_alone(app, backend, w):
    draft = working(w)
    add_version(w.worker, draft)
    doc = get(Document, draft)
    assert permissions.can_view_document(w.worker2, doc)
    for outsider in (w.employer, w.government, w.chair, w.observer, w.secretariat):
        assert not permissions.can_view_document(outsider, doc)
        listed = db.session.scalars(queries.visible_documents(outsider, get(Meeting, w.meeting))).unique()
        assert draft.id not in {d.id for d in listed}
        with pytest.raises(NotFound), unit_of_work():
            services.add_version(get(type(outsider), outsider), get(Document, draft), file=pdf(), filename="x.pdf")


@pytest.mark.postgres
def test_the_owner_or_the_secretariat_withdraws(app, backend, w):
    shared = working(w, actor=w.chair, space=w.officers)
    assert not permissions.can_withdraw_document(w.government, get(Document, shared))
    with pytest.raises(NotAllowed), unit_of_work():
        services.withdraw_document(get(type(w.government), w.government), get(Document, publish(w)), reason="No")
    caucus = working(w)
    with pytest.raises(NotAllowed), unit_of_work():
        services.withdraw_document(get(type(w.worker2), w.worker2), get(Document, caucus), reason="Not mine")
    with unit_of_work():
        services.withdraw_document(get(type(w.secretariat), w.secretariat), get(Document, shared),
                                   reason="Circulated by mistake")
    assert get(Document, shared).is_withdrawn


def test_the_reason_is_required_to_withdraw(app, w):
    doc = publish(w)
    before = state(app)
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        services.withdraw_document(get(type(w.secretariat), w.secretariat), get(Document, doc), reason="  ")
    assert "reason" in exc.value.fields
    assert state(app) == before


# --- withdrawal -------------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_withdrawing_removes_from_lists_keeps_the_record_and_the_versions(backend, w):
    english = publish(w)
    french = publish(w, language="fr", title="Rapport")
    with unit_of_work():
        withdrawn = services.withdraw_document(get(type(w.secretariat), w.secretariat), get(Document, english),
                                               reason="Issued in error")
    assert {d.id for d in withdrawn} == {english.id, french.id}  # with its language versions
    meeting = get(Meeting, w.meeting)
    assert list(db.session.scalars(queries.visible_documents(w.government, meeting))) == []
    doc = get(Document, english)
    assert not permissions.can_view_document(w.government, doc)
    assert permissions.can_view_document(w.secretariat, doc)  # retrievable by the secretariat
    assert storage.open_blob(queries.versions_of(doc)[0].sha256).is_file()
    kept = {d.id for d in db.session.scalars(queries.withdrawn_documents(w.secretariat, meeting)).unique()}
    assert kept == {english.id, french.id}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "document.withdraw")).one()
    assert json.loads(entry.payload)["reason"] == "Issued in error" and entry.space_id == w.plenary.id
    with pytest.raises(ValidationFailed) as exc:
        publish(w, language="es")
    assert "withdrawn; a symbol is not used again" in exc.value.fields["symbol"][0]


def test_a_withdrawn_caucus_document_stays_with_its_group(w):
    draft = working(w)
    with unit_of_work():
        services.withdraw_document(get(type(w.worker), w.worker), get(Document, draft), reason="Replaced")
    doc = get(Document, draft)
    assert permissions.can_view_document(w.worker2, doc)  # its group keeps it
    assert not permissions.can_view_document(w.secretariat, doc)
    assert not permissions.can_view_document(w.employer, doc)
    assert [d.id for d in db.session.scalars(queries.withdrawn_documents(w.worker2, get(Meeting, w.meeting)))
            .unique()] == [draft.id]
    assert list(db.session.scalars(queries.withdrawn_documents(w.secretariat, get(Meeting, w.meeting)))) == []


def test_audit_entries_name_the_documents_space(w):
    draft = working(w)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "document.publish",
                                                           AuditEntry.object_id == str(draft.id))).one()
    assert entry.space_id == w.workers.id  # redacted for everyone outside the caucus (rule 11)
    assert json.loads(entry.payload)["sha256"] == queries.versions_of(get(Document, draft))[0].sha256


# --- search ------------------------------------------------------------------------------------------

def test_search_by_symbol_and_title_inside_the_permission_filter(w):
    report = publish(w, title="Background report")
    publish(w, language="fr", title="Rapport de référence")
    publish(w, symbol="TTMLM/2027/INF/1", title="Information note")
    working(w, title="Workers' report notes")
    meeting = get(Meeting, w.meeting)

    def found(user: Any, q: str) -> set[int]:
        return {d.id for d in db.session.scalars(queries.visible_documents(user, meeting, q=q)).unique()}

    assert found(w.government, "INF/1") == {d.id for d in db.session.scalars(
        sa.select(Document).where(Document.symbol == "TTMLM/2027/INF/1"))}
    assert found(w.government, "référence") == {report.id}  # a family found by its French title
    assert len(found(w.worker, "report")) == 2
    assert len(found(w.employer, "report")) == 1  # the workers' notes stay theirs
    assert found(w.government, "100%_") == set()  # LIKE wildcards are escaped


# --- concurrency ------------------------------------------------------------------------------------------

def _race(app: Any, n: int, job: Any) -> tuple[list[Any], list[BaseException]]:
    """Run `job(i)` in n threads, each in its own app context and transaction, started together."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                try:
                    with unit_of_work():
                        results.append(job(i))
                except BaseException as exc:
                    errors.append(exc)
                db.session.remove()
        except BaseException as exc:  # the barrier or the context failed
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.postgres
def test_concurrent_versions_get_distinct_numbers(app, backend, w):
    from forum.accounts.models import User

    draft_id, worker_id = working(w).id, w.worker.id  # read here: the threads must not touch this session
    files = [pdf(f"concurrent {i}").getvalue() for i in range(4)]
    results, errors = _race(app, 4, lambda i: services.add_version(
        db.session.get(User, worker_id), db.session.get(Document, draft_id), file=io.BytesIO(files[i]),
        filename="d.pdf").number)
    assert not errors, errors
    assert sorted(results) == [2, 3, 4, 5]
    db.session.rollback()  # end the read transaction the ids were read in (SQLite keeps its snapshot)
    assert db.session.get(Document, draft_id).current_version == 5


@pytest.mark.postgres
def test_a_double_submit_arriving_at_once_shares_one_document(app, backend, w):
    from forum.accounts.models import User

    before = state(app)
    worker_id, workers_id = w.worker.id, w.workers.id
    data = pdf("double click").getvalue()
    results, errors = _race(app, 3, lambda i: services.publish_document(
        db.session.get(User, worker_id), db.session.get(Space, workers_id), kind="working", title="Statement",
        language="en", file=io.BytesIO(data), filename="s.pdf").id)
    assert not errors, errors
    assert len(set(results)) == 1
    after = state(app)
    assert after["documents"] == before["documents"] + 1 and after["versions"] == before["versions"] + 1
    assert len(after["files"] - before["files"]) == 1


@pytest.mark.postgres
def test_concurrent_publications_of_one_symbol_keep_one_and_leave_no_stray_file(app, backend, w):
    from forum.accounts.models import User

    before = state(app)
    secretariat_id, plenary_id = w.secretariat.id, w.plenary.id
    files = [pdf(f"race {i}").getvalue() for i in range(4)]
    results, errors = _race(app, 4, lambda i: services.publish_document(
        db.session.get(User, secretariat_id), db.session.get(Space, plenary_id), kind="official",
        symbol="TTMLM/2027/7", title=f"Try {i}", language="en", file=io.BytesIO(files[i]),
        filename="r.pdf").id)
    assert len(results) == 1, errors
    assert len(errors) == 3 and all(isinstance(e, ValidationFailed) for e in errors), errors
    after = state(app)
    assert after["documents"] == before["documents"] + 1 and after["versions"] == before["versions"] + 1
    assert len(after["files"] - before["files"]) == 1  # the winner's file only; no temporary file left
