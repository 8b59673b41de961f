"""Drafting through the browser: import with a preview, the structured editor, filing by editing
the text, the secretariat's queue and compilation, seconding, withdrawal and take-up, decisions,
the marshalled list with its filters, "our amendments", and the pages' limits."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.drafting import amendments as svc
from forum.drafting import queries
from forum.drafting.models import Amendment, AmendmentState, Draft, DraftState, Paragraph, ParagraphState
from forum.extensions import db
from forum.meetings.models import Space, SpaceKind
from tests.drafting_world import EMPLOYERS, TEXTS, build, draft, para, state

S = AmendmentState


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def base(w) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{w.draft_id}"


def amendments() -> list[Amendment]:
    return list(db.session.scalars(sa.select(Amendment).order_by(Amendment.id)))


def docx_file(build_document) -> io.BytesIO:
    import docx

    document = docx.Document()
    build_document(document)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


# --- creating drafts ----------------------------------------------------------------------------------

def test_rule_15_import_a_docx_with_a_preview_then_save(w, login):
    sec = login(w.secretariat)
    url = f"/meetings/{w.meeting.id}/drafts/import"

    def document(d):
        d.add_paragraph("Imported conclusions", style="Title")  # the title comes from the file
        d.add_paragraph("The Forum adopts these conclusions:")
        d.add_heading("I. Principles", level=1)
        d.add_paragraph("1. Migration governance is tripartite.")
        d.add_paragraph("(a) Governments lead;")
        d.add_paragraph("(b) the social partners take part.")
        d.add_heading("II. Follow-up", level=1)
        d.add_paragraph("2. The Office reports back.")

    fields = {"title": "", "symbol": "X/IMPORT", "original_language": "en", "amendment_prefix": "C"}
    preview = sec.post(url, data={**fields, "file": (docx_file(document), "draft.docx")},
                       content_type="multipart/form-data")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Preview: Imported conclusions" in page and "I. Principles" in page and "II. Follow-up" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draft)) == 1  # nothing saved yet
    structure = re.search(r'name="structure" type="hidden" value="([^"]*)"', page) or \
        re.search(r'id="structure" name="structure" type="hidden" value="([^"]*)"', page)
    assert structure
    import html

    saved = sec.post(url, data={**fields, "title": "Imported conclusions", "structure": html.unescape(
        structure.group(1)), "confirm": "1"})
    assert saved.status_code == 302
    new = db.session.scalars(sa.select(Draft).where(Draft.symbol == "X/IMPORT")).one()
    labels = [p.label for p in db.session.scalars(queries.paragraphs_of_draft(new.id))]
    assert labels == ["preamble", "1", "1(a)", "1(b)", "2"]
    assert new.state is DraftState.preparation and new.amendment_prefix == "C"


def test_an_upload_that_is_not_a_docx_is_refused_and_nothing_is_created(w, login):
    sec = login(w.secretariat)
    response = sec.post(f"/meetings/{w.meeting.id}/drafts/import",
                        data={"title": "T", "symbol": "X/2", "original_language": "en", "amendment_prefix": "D",
                              "file": (io.BytesIO(b"%PDF-1.4 not a draft"), "draft.docx")},
                        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a Word document" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draft)) == 1


def test_an_import_of_5000_paragraphs_is_refused(w, login):
    text = "\n".join(f"{i}. Paragraph {i}." for i in range(1, 5001))
    response = login(w.secretariat).post(f"/meetings/{w.meeting.id}/drafts/import", data={
        "title": "Huge", "symbol": "X/HUGE", "original_language": "en", "amendment_prefix": "D", "text": text})
    assert response.status_code == 422
    assert "at most 1,000" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draft)) == 1


def test_the_structured_editor_adds_parts_paragraphs_and_items_then_opens_the_draft(w, login):
    sec = login(w.secretariat)
    created = sec.post(f"/meetings/{w.meeting.id}/drafts/new", data={
        "title": "Blank", "symbol": "X/BLANK", "original_language": "en", "amendment_prefix": "E"})
    assert created.status_code == 302
    new = db.session.scalars(sa.select(Draft).where(Draft.symbol == "X/BLANK")).one()
    url = f"/meetings/{w.meeting.id}/drafts/{new.id}"
    assert sec.post(f"{url}/parts", data={"part-title": "Principles"}).status_code == 302
    part = db.session.scalars(queries.parts_of_draft(new.id)).one()
    sec.post(f"{url}/paragraphs", data={"paragraph-text": "First paragraph.", "paragraph-place": f"part:{part.id}"})
    first = db.session.scalars(sa.select(Paragraph).where(Paragraph.draft_id == new.id)).one()
    sec.post(f"{url}/paragraphs", data={"paragraph-text": "An item.", "paragraph-place": f"under:{first.id}"})
    sec.post(f"{url}/paragraphs", data={"paragraph-text": "Second paragraph.", "paragraph-place": "end"})
    sec.post(f"{url}/edit", data={"title": "Blank", "symbol": "X/BLANK", "amendment_prefix": "E",
                                  "preamble": "The Forum concludes:"})
    labels = [p.label for p in db.session.scalars(queries.paragraphs_of_draft(new.id))]
    assert labels == ["preamble", "1", "1(a)", "2"]
    page = sec.get(url).get_data(as_text=True)
    assert "I. Principles" in page and "An item." in page
    assert login(w.u["kenya"]).get(f"{url}/parts/{part.id}/edit").status_code == 403
    assert sec.post(f"{url}/open").status_code == 302
    assert db.session.get(Draft, new.id).state is DraftState.negotiation
    assert sec.get(f"{url}/parts/{part.id}/edit").status_code == 403  # the structure is fixed now


# --- amendments through the browser -------------------------------------------------------------

def test_rule_20_filing_by_editing_the_text_in_place(w, login):
    ke = login(w.u["kenya"])
    form = ke.get(f"{base(w)}/amendments/new?paragraph={para(w, '2').id}").get_data(as_text=True)
    assert TEXTS["2"] in form  # the form holds the current text to edit
    response = ke.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "2").id, "mover": "state", "kind": "modify", "language": "en",
        "text": "Member States shall ratify the relevant international labour standards.",
        "explanation": "A firmer commitment."})
    assert response.status_code == 302
    (a,) = amendments()
    assert a.state is S.draft and a.mover.states == ("KE",)
    page = ke.get(response.headers["Location"]).get_data(as_text=True)
    assert "<del>should</del><ins>shall</ins>" in page


@pytest.mark.parametrize("change,field", [
    ({"language": "de"}, "language"),
    ({"language": "fr"}, "French"),
    ({"explanation": ""}, "Explain"),
    ({"text": TEXTS["2"]}, "identical"),
])
def test_bad_amendments_are_refused_in_the_form_and_nothing_is_saved(w, login, change, field):
    data = {"paragraph_id": para(w, "2").id, "mover": "state", "kind": "modify", "language": "en",
            "text": "Member States shall ratify.", "explanation": "Why.", **change}
    response = login(w.u["kenya"]).post(f"{base(w)}/amendments/new", data=data)
    assert response.status_code in (422, 409)
    assert field in response.get_data(as_text=True) or response.status_code == 422
    assert amendments() == []


def test_rule_19_an_individual_employer_member_cannot_file_in_their_own_name(w, login):
    member = login(w.u["employer"])
    assert member.get(f"{base(w)}/amendments/new").status_code == 403
    assert member.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "2").id, "mover": "employer_group", "kind": "delete", "language": "en",
        "explanation": "Mine."}).status_code == 403
    assert amendments() == []


def test_rule_23_the_whole_workflow_through_the_browser(w, login):
    sec, ke, de, chair = login(w.secretariat), login(w.u["kenya"]), login(w.u["germany"]), login(w.u["chair"])
    ke.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "2").id, "mover": "state", "kind": "modify", "language": "en",
        "text": "Member States shall ratify the relevant international labour standards.", "explanation": "Firmer."})
    (a,) = amendments()
    url = f"{base(w)}/amendments/{a.id}"
    assert sec.get(url).status_code == 404  # an unsubmitted draft is the delegation's alone
    assert de.get(url).status_code == 404
    assert ke.post(f"{url}/submit").status_code == 302
    assert sec.get(url).status_code == 200
    assert de.get(url).status_code == 404  # not circulated yet
    queue = sec.get(f"{base(w)}/validation").get_data(as_text=True)
    assert "D.1" in queue
    assert ke.post(f"{url}/validate").status_code == 403
    assert sec.post(f"{url}/validate").status_code == 302
    assert ke.post(f"{base(w)}/circulate").status_code == 403
    assert sec.post(f"{base(w)}/circulate").status_code == 302
    assert "D.1" in de.get(f"{base(w)}/amendments").get_data(as_text=True)
    assert de.post(f"{url}/second").status_code == 302
    assert de.post(f"{url}/second").status_code == 403  # not twice
    assert ke.post(f"{url}/discuss").status_code == 403
    assert chair.post(f"{url}/discuss").status_code == 302
    assert chair.post(f"{url}/decide", data={"outcome": "adopted", "merged_into": "0"}).status_code == 302
    assert db.session.get(Amendment, a.id).state is S.adopted
    page = de.get(base(w)).get_data(as_text=True)
    assert "Member States shall ratify" in page and "<del>should</del>" in page
    assert f'href="{url}"' in page  # the change is traced to its amendment (rule 26)
    amendment_page = de.get(url).get_data(as_text=True)
    assert "No discussion you can see is about it yet." in amendment_page  # its discussions (none yet)
    assert f"/threads/new?amendment={a.id}" in amendment_page


def test_rule_23_withdrawal_by_the_mover_and_take_up_through_the_browser(w, login):
    with unit_of_work():
        a = svc.file_amendment(w.u["kenya"], draft(w), para(w, "1"), mover=state("KE"), kind="delete", language="en",
                               explanation="Redundant.")
        svc.submit_amendment(w.u["kenya"], a)
        svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    url = f"{base(w)}/amendments/{a.id}"
    assert login(w.u["germany"]).post(f"{url}/withdraw").status_code == 403
    assert login(w.u["chair"]).get(f"{url}/withdraw").status_code == 403
    ke = login(w.u["kenya"])
    assert "Withdraw amendment D.1?" in ke.get(f"{url}/withdraw").get_data(as_text=True)
    assert ke.post(f"{url}/withdraw").status_code == 302
    assert db.session.get(Amendment, a.id).state is S.withdrawn
    assert ke.get(f"{url}/take-up").status_code == 403
    de = login(w.u["germany"])
    assert de.post(f"{url}/take-up", data={"mover": "state"}).status_code == 302
    taken = db.session.get(Amendment, a.id)
    assert taken.state is S.circulated and taken.mover.states == ("DE",)


def test_the_secretariat_returns_an_amendment_with_a_message(w, login):
    with unit_of_work():
        a = svc.file_amendment(w.u["emp_secretary"], draft(w), para(w, "3"), mover=EMPLOYERS, kind="delete",
                               language="en", explanation="Covered elsewhere.")
        svc.submit_amendment(w.u["emp_secretary"], a)
    sec = login(w.secretariat)
    url = f"{base(w)}/amendments/{a.id}/return"
    assert sec.post(url, data={"message": ""}).status_code == 422
    assert sec.post(url, data={"message": "Covered where exactly?"}).status_code == 302
    assert db.session.get(Amendment, a.id).state is S.returned
    notes = login(w.u["emp_spokesperson"]).get("/notifications").get_data(as_text=True)
    assert "returned for clarification: Covered where exactly?" in notes


def test_our_amendments_shows_a_groups_drafts_to_that_group_only(w, login):
    with unit_of_work():
        svc.file_amendment(w.u["emp_secretary"], draft(w), para(w, "3"), mover=EMPLOYERS, kind="delete",
                           language="en", explanation="Employers' draft.")
    caucus = db.session.scalars(sa.select(Space).where(Space.meeting_id == w.meeting.id,
                                                       Space.kind == SpaceKind.group,
                                                       Space.group == "employer")).one()
    url = f"/meetings/{w.meeting.id}/spaces/{caucus.id}/amendments"
    assert url in login(w.u["employer"]).get(f"/meetings/{w.meeting.id}/drafts").get_data(as_text=True)
    assert url not in login(w.u["worker"]).get(f"/meetings/{w.meeting.id}/drafts").get_data(as_text=True)
    page = login(w.u["employer"]).get(url)
    assert page.status_code == 200 and "Employers&#39; draft." in page.get_data(as_text=True)
    for role in ("worker", "kenya", "secretariat", "chair"):
        assert login(w.u[role]).get(url).status_code == 404


def test_the_marshalled_list_filters_by_group_state_mover_and_paragraph(w, login):
    with unit_of_work():
        for role, label, mover in (("kenya", "2", state("KE")), ("emp_secretary", "3", EMPLOYERS),
                                   ("germany", "1", state("DE"))):
            a = svc.file_amendment(w.u[role], draft(w), para(w, label), mover=mover, kind="delete", language="en",
                                   explanation=f"By {role}.")
            svc.submit_amendment(w.u[role], a)
            svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    client = login(w.u["worker"])

    def listed(query: str) -> list[str]:
        page = client.get(f"{base(w)}/amendments{query}").get_data(as_text=True)
        return re.findall(r">(D\.\d+)</a>", page)

    assert listed("") == ["D.3", "D.1", "D.2"]  # paragraph 1, 2, 3
    assert listed("?group=employer") == ["D.2"]
    assert listed("?group=government") == ["D.3", "D.1"]
    assert listed("?mover=state:KE") == ["D.1"]
    assert listed(f"?paragraph={para(w, '3').id}") == ["D.2"]
    assert listed("?state=adopted") == []


def test_the_marshalled_list_runs_the_same_queries_whatever_the_number_of_amendments(w, login, count_queries):
    """B10: the circulated amendments are read once with their movers and seconders; no query per card."""
    client = login(w.u["worker"])

    def circulate(labels: tuple[str, ...]) -> None:
        with unit_of_work():
            filed = []
            for i, label in enumerate(labels):
                a = svc.file_amendment(w.u["kenya"], draft(w), para(w, label), mover=state("KE"), kind="modify",
                                       language="en", text=f"{TEXTS[label]} Note {i}.", explanation="x")
                svc.submit_amendment(w.u["kenya"], a)
                svc.validate_amendment(w.secretariat, a)
                filed.append(a)
            svc.circulate_amendments(w.secretariat, draft(w))
            for a in filed:
                svc.second_amendment(w.u["germany"], a)

    circulate(("2",))
    client.get(f"{base(w)}/amendments")
    with count_queries() as few:
        assert client.get(f"{base(w)}/amendments").status_code == 200
    circulate(("1", "2", "3", "4") * 3)
    with count_queries() as many:
        page = client.get(f"{base(w)}/amendments").get_data(as_text=True)
    assert page.count('<li class="entry') == 13 and page.count("· seconded") == 13
    assert many.n == few.n, many.statements[few.n:]
    assert many.n <= 11, many.statements  # 13 when the seconders came with their participants


def test_the_chair_reorders_the_marshalled_list(w, login):
    with unit_of_work():
        ids = []
        for role, text in (("kenya", TEXTS["2"].replace("Member", "All member")),
                           ("germany", TEXTS["2"].replace("standards", "norms"))):
            a = svc.file_amendment(w.u[role], draft(w), para(w, "2"), mover=state(w.p[role].member_state),
                                   kind="modify", language="en", text=text, explanation="x")
            svc.submit_amendment(w.u[role], a)
            svc.validate_amendment(w.secretariat, a)
            ids.append(a.id)
        svc.circulate_amendments(w.secretariat, draft(w))
    assert login(w.u["kenya"]).post(f"{base(w)}/amendments/{ids[1]}/move", data={"direction": "up"}).status_code == 403
    assert login(w.u["chair"]).post(f"{base(w)}/amendments/{ids[1]}/move",
                                    data={"direction": "up"}).status_code == 302
    assert db.session.get(Draft, w.draft_id).marshal_order == [ids[1], ids[0]]


def test_oral_amendment_recorded_from_the_floor(w, login):
    sec = login(w.secretariat)
    response = sec.post(f"{base(w)}/oral", data={
        "paragraph_id": para(w, "4").id, "parent_id": "0", "moved_by": w.p["kenya"].id, "mover": "own",
        "seconded_by": w.p["worker"].id, "kind": "modify", "language": "en",
        "text": "Skills of migrant workers shall be recognized across borders.", "explanation": ""})
    assert response.status_code == 302
    (a,) = amendments()
    assert a.oral and a.state is S.under_discussion and a.seconders[0].from_floor


def test_compilation_page_and_word_document(w, login):
    with unit_of_work():
        a = svc.file_amendment(w.u["kenya"], draft(w), para(w, "2"), mover=state("KE"), kind="modify", language="en",
                               text=TEXTS["2"].replace("should", "shall"), explanation="Firmer.")
        svc.submit_amendment(w.u["kenya"], a)
        svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    client = login(w.u["observer"])
    page = client.get(f"{base(w)}/compilations/1")
    assert page.status_code == 200 and "D.1" in page.get_data(as_text=True)
    document = client.get(f"{base(w)}/compilations/1.docx")
    assert document.status_code == 200 and document.data.startswith(b"PK")
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs)
    assert "D.1" in text and "Firmer." in text
    assert client.get(f"{base(w)}/compilations/2").status_code == 404


def test_line_numbers_are_a_meeting_setting(w, login):
    sec = login(w.secretariat)
    assert "line-no" not in sec.get(base(w)).get_data(as_text=True)
    assert login(w.u["kenya"]).post(f"/meetings/{w.meeting.id}/drafts/line-numbers",
                                    data={"enabled": "y", "line_length": "40"}).status_code == 403
    sec.post(f"/meetings/{w.meeting.id}/drafts/line-numbers", data={"enabled": "y", "line_length": "40"})
    page = sec.get(base(w)).get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r'<span class="line-no" aria-hidden="true">(\d+)</span>', page)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 7


def test_a_post_without_csrf_token_is_refused(w, login, app):
    with unit_of_work():
        a = svc.file_amendment(w.u["kenya"], draft(w), para(w, "2"), mover=state("KE"), kind="delete", language="en",
                               explanation="x")
    client = login(w.u["kenya"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"{base(w)}/amendments/{a.id}/submit").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.get(Amendment, a.id).state is S.draft


def test_the_draft_page_stays_bounded_as_amendments_grow(w, login, count_queries):
    client = login(w.u["chair"])

    def circulate(n: int) -> None:
        with unit_of_work():
            for i in range(n):
                a = svc.file_amendment(w.u["kenya"], draft(w), para(w, "2"), mover=state("KE"), kind="modify",
                                       language="en", text=TEXTS["2"] + f" Note {i}.", explanation="x")
                svc.submit_amendment(w.u["kenya"], a)
                svc.validate_amendment(w.secretariat, a)
            svc.circulate_amendments(w.secretariat, draft(w))

    circulate(2)
    with count_queries() as few:
        assert client.get(base(w)).status_code == 200
    circulate(10)
    with count_queries() as many:
        assert client.get(base(w)).status_code == 200
    assert many.n <= few.n + 2, many.statements[few.n:]


def test_rule_24_amendments_on_the_same_words_are_shown_as_a_group(w, login):
    with unit_of_work():
        for role in ("kenya", "germany"):
            a = svc.file_amendment(w.u[role], draft(w), para(w, "2"), mover=state(w.p[role].member_state),
                                   kind="modify", language="en", explanation="x",
                                   text=TEXTS["2"].replace("should", "must" if role == "kenya" else "shall"))
            svc.submit_amendment(w.u[role], a)
            svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    page = login(w.u["observer"]).get(f"{base(w)}/amendments").get_data(as_text=True)
    assert page.count("on the same words as 1 other amendment (group 1)") == 2


# --- issue 5, "done when": through the browser ---------------------------------------------------------

def _import(client, url: str, fields: dict, data: bytes, name: str) -> Draft:
    """Upload, read the preview, save what it shows: the draft made from the file."""
    import html

    preview = client.post(url, data={**fields, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    structure = re.search(r'name="structure" type="hidden" value="([^"]*)"', page) or \
        re.search(r'id="structure" name="structure" type="hidden" value="([^"]*)"', page)
    title = re.search(r'name="title"[^>]*value="([^"]*)"', page)
    saved = client.post(url, data={**fields, "title": html.unescape(title.group(1)),
                                   "structure": html.unescape(structure.group(1)), "confirm": "1"})
    assert saved.status_code == 302
    return db.session.scalars(sa.select(Draft).where(Draft.symbol == fields["symbol"])).one()


def test_the_secretariat_loads_the_demo_draft_from_docx_and_its_export_imports_back_the_same(w, login):
    from forum.drafting import demo

    sec = login(w.secretariat)
    url = f"/meetings/{w.meeting.id}/drafts/import"
    fields = {"title": "", "original_language": "en", "amendment_prefix": "D"}
    loaded = _import(sec, url, {**fields, "symbol": "X/DEMO"}, demo.DOCX_PATH.read_bytes(), "demo.docx")
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(loaded.id)))
    assert loaded.title == demo.TITLE
    assert len([p for p in paragraphs if p.kind.value == "paragraph"]) == 15
    assert len(list(db.session.scalars(queries.parts_of_draft(loaded.id)))) == 3
    exported = sec.get(f"/meetings/{w.meeting.id}/drafts/{loaded.id}/exports/final.docx")
    assert exported.status_code == 200
    again = _import(sec, url, {**fields, "symbol": "X/AGAIN"}, exported.data, "final.docx")
    texts, texts_again = queries.current_texts(loaded.id), queries.current_texts(again.id)
    assert again.title == loaded.title
    assert [(p.label, texts[(p.id, "en")].text) for p in paragraphs] == [
        (p.label, texts_again[(p.id, "en")].text) for p in db.session.scalars(queries.paragraphs_of_draft(again.id))]
    assert [p.title for p in db.session.scalars(queries.parts_of_draft(again.id))] == [
        p.title for p in db.session.scalars(queries.parts_of_draft(loaded.id))]


def test_rule_17_paragraph_decisions_through_the_browser_and_reopening_needs_the_bodys_agreement(w, login):
    chair, observer = login(w.u["chair"]), login(w.u["observer"])

    def decide(label: str, state: str, note: str = "") -> int:
        url = f"{base(w)}/paragraphs/{para(w, label).id}/decide"
        return chair.post(url, data={"state": state, "note": note}).status_code

    assert decide("1", "adopted") == 422  # not taken up
    assert decide("1", "under_discussion") == 302 and decide("1", "adopted") == 302
    assert decide("2", "under_discussion") == 302 and decide("2", "bracketed") == 302
    assert decide("preamble", "deferred") == 302
    page = observer.get(base(w)).get_data(as_text=True)
    for label, shown in (("1", "adopted"), ("2", "bracketed"), ("preamble", "deferred"), ("4", "pending")):
        assert f'state-{shown}" id="p-{para(w, label).id}"' in page
    assert decide("1", "under_discussion") == 422  # reopening: the body's agreement is recorded
    assert para(w, "1").state is ParagraphState.adopted
    assert decide("1", "under_discussion", "The Committee agreed to reopen paragraph 1.") == 302
    history = observer.get(f"{base(w)}/paragraphs/{para(w, '1').id}").get_data(as_text=True)
    assert "The Committee agreed to reopen paragraph 1." in history


def test_rule_18_a_drafting_group_set_up_in_the_browser_returns_its_text_as_an_amendment(w, login):
    from forum.drafting.models import DraftingGroup, MoverKind

    sec = login(w.secretariat)
    members = [w.p["kenya"].id, w.p["employer"].id, w.p["worker"].id]
    assert sec.post(f"{base(w)}/drafting-groups/new", data={
        "name": "Recruitment", "participant_ids": members[:2]}).status_code == 422  # not tripartite
    assert sec.post(f"{base(w)}/drafting-groups/new", data={
        "name": "Recruitment", "mandate": "Rework paragraph 3.", "participant_ids": members}).status_code == 302
    group = db.session.scalars(sa.select(DraftingGroup)).one()
    assert sec.post(f"{base(w)}/drafting-groups/{group.id}/refer",
                    data={f"refer{group.id}-paragraph_ids": [para(w, "3").id]}).status_code == 302
    assert para(w, "3").drafting_group_id == group.id
    worker = login(w.u["worker"])
    text = TEXTS["3"].replace("workers", "workers or jobseekers")
    assert worker.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "3").id, "mover": f"drafting:{group.id}", "kind": "modify", "language": "en",
        "text": text, "explanation": "The drafting group's text."}).status_code == 302
    (proposal,) = amendments()
    assert proposal.mover_kind is MoverKind.drafting_group and proposal.seconded
    assert login(w.u["germany"]).post(f"{base(w)}/amendments/new", data={  # not a member of the group
        "paragraph_id": para(w, "3").id, "mover": f"drafting:{group.id}", "kind": "delete", "language": "en",
        "explanation": "x"}).status_code == 422
    assert worker.post(f"{base(w)}/amendments/{proposal.id}/submit").status_code == 302
    ours = login(w.u["employer"]).get(f"/meetings/{w.meeting.id}/spaces/{group.space_id}/amendments")
    assert ours.status_code == 200 and "D.1" in ours.get_data(as_text=True)


def test_rule_19_co_sponsors_and_a_regional_group_file_through_the_browser(w, login):
    from forum.drafting.models import MoverKind
    from forum.meetings.models import RegionalGroup

    germany = login(w.u["germany"])
    assert germany.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "2").id, "mover": "co_sponsored", "co_sponsors": ["IT", "KE"], "kind": "delete",
        "language": "en", "explanation": "Together."}).status_code == 302
    (co,) = amendments()
    assert co.mover_kind is MoverKind.co_sponsored and co.mover.states == ("DE", "IT", "KE") and co.seconded
    assert login(w.u["italy"]).post(f"{base(w)}/amendments/{co.id}/submit").status_code == 302  # a co-sponsor
    africa = db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == "AFRICA")).one()
    coordinator = login(w.u["africa"])
    assert coordinator.post(f"{base(w)}/amendments/new", data={
        "paragraph_id": para(w, "1").id, "mover": f"regional:{africa.id}", "non_supporting": ["SN"],
        "kind": "delete", "language": "en", "explanation": "The Africa group."}).status_code == 302
    regional = amendments()[-1]
    assert regional.mover_kind is MoverKind.regional_group and regional.non_supporting == ["SN"]
    assert "Senegal" in coordinator.get(f"{base(w)}/amendments/{regional.id}").get_data(as_text=True)
    assert login(w.u["senegal"]).post(f"{base(w)}/amendments/new", data={  # not the coordinator
        "paragraph_id": para(w, "1").id, "mover": f"regional:{africa.id}", "kind": "delete", "language": "en",
        "explanation": "x"}).status_code == 422
    assert len(amendments()) == 2


def test_the_import_previews_warnings_are_in_the_readers_language_and_escaped(w, login):
    from forum.accounts.models import User

    with unit_of_work():
        db.session.get(User, w.secretariat.id).locale = "fr"
    page = login(w.secretariat).post(f"/meetings/{w.meeting.id}/drafts/import", data={
        "title": "T", "symbol": "X/FR", "original_language": "en", "amendment_prefix": "D",
        "text": "I. Principes\n\n1. Premier.\n3. Second.\n\nII. Annexe <img src=x onerror=alert(1)>\n"}
    ).get_data(as_text=True)
    assert "Le paragraphe numéroté 3 dans le fichier devient le paragraphe 2." in page
    assert "Le titre « Annexe &lt;img src=x onerror=alert(1)&gt; » n&#39;a aucun paragraphe sous lui" in page
    assert "<img src=x" not in page  # the file's words are escaped in the warning too
