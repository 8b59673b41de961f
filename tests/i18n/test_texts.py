"""The draft and its amendments in English, French and Spanish (rules 15, 20, 23 and 35; issue 14)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.drafting import amendments as svc
from forum.drafting import drafts, queries
from forum.drafting.importing import parse_text
from forum.drafting.models import Amendment, ParagraphText
from forum.errors import NotAllowed, ValidationFailed
from forum.extensions import db
from forum.languages import services
from forum.languages.models import AmendmentTranslation
from tests.drafting_world import TEXTS, build, draft, para, state

FRENCH = """La réunion tripartite, réunie à Genève, adopte les conclusions suivantes :

I. Principes directeurs

1. Une migration de main-d'œuvre régie par des règles équitables profite aux pays d'origine comme de destination.

2. Les États Membres devraient ratifier les normes internationales du travail pertinentes.

II. Recrutement équitable

3. Les frais de recrutement et les coûts connexes ne devraient pas être mis à la charge des travailleurs.

(a) Les agences d'emploi privées devraient être agréées.

(b) Les mécanismes de plainte devraient être accessibles aux travailleurs migrants.

4. Les compétences des travailleurs migrants devraient être reconnues par-delà les frontières.
"""


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def run(fn, *args, **kwargs):
    with unit_of_work():
        return fn(*args, **kwargs)


def texts(w, language: str) -> dict[str, str]:
    latest = queries.current_texts(w.draft_id)
    return {p.label: latest[(p.id, language)].text for p in db.session.scalars(queries.paragraphs_of_draft(w.draft_id))
            if (p.id, language) in latest}


def circulated(w, role="kenya", label="2", language="en", text=None) -> Amendment:
    base = TEXTS[label]
    a = run(svc.file_amendment, w.u[role], draft(w), para(w, label), mover=state(w.p[role].member_state),
            kind="modify", language=language, text=text or base.replace("should", "shall"), explanation="Stronger.")
    run(svc.submit_amendment, w.u[role], db.session.get(Amendment, a.id))
    run(svc.validate_amendment, w.secretariat, db.session.get(Amendment, a.id))
    run(svc.circulate_amendments, w.secretariat, draft(w))
    return db.session.get(Amendment, a.id)


# --- importing a translation aligned paragraph by paragraph ---------------------------------------------

def test_rule_15_a_translated_file_gives_each_paragraph_its_text_in_the_same_place(w):
    changed = run(services.import_translation, w.secretariat, draft(w), language="fr", parsed=parse_text(FRENCH))
    assert changed == 7
    fr = texts(w, "fr")
    assert set(fr) == set(texts(w, "en"))  # same paragraph ids and labels, nothing added
    assert fr["preamble"].startswith("La réunion tripartite")
    assert fr["3(b)"] == "Les mécanismes de plainte devraient être accessibles aux travailleurs migrants."
    assert fr["4"].startswith("Les compétences")
    assert sorted(services.part_titles(w.draft_id).values()) == ["Principes directeurs", "Recrutement équitable"]
    # The same file again changes nothing and adds no version.
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(ParagraphText))
    assert run(services.import_translation, w.secretariat, draft(w), language="fr", parsed=parse_text(FRENCH)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParagraphText)) == versions


@pytest.mark.parametrize(("broken", "where"), [
    (FRENCH.replace("(b) Les mécanismes de plainte devraient être accessibles aux travailleurs migrants.\n", ""),
     "Paragraph 3 has 2 sub-paragraphs in the draft; the file has 1"),
    (FRENCH.replace("2. Les États Membres devraient ratifier les normes internationales du travail pertinentes.\n",
                    ""), "In part I the draft has 2 paragraphs (1–2); the file has 1."),
    (FRENCH.replace("II. Recrutement équitable\n", ""), "The draft has 2 parts; the file has 1 headings."),
    (FRENCH.split("\n", 2)[2], "The draft has a preamble; the file has no text before its first paragraph."),
])
def test_rule_15_a_file_that_does_not_align_is_refused_saying_where(w, broken, where):
    before = texts(w, "fr")
    with pytest.raises(ValidationFailed) as refused:
        run(services.import_translation, w.secretariat, draft(w), language="fr", parsed=parse_text(broken))
    assert any(where in m for m in refused.value.fields["file"]), refused.value.fields
    assert texts(w, "fr") == before == {}


def test_only_the_secretariat_imports_and_never_over_the_original(w):
    with pytest.raises(NotAllowed):
        run(services.import_translation, w.u["kenya"], draft(w), language="fr", parsed=parse_text(FRENCH))
    with pytest.raises(ValidationFailed) as refused:
        run(services.import_translation, w.secretariat, draft(w), language="en", parsed=parse_text(FRENCH))
    assert "language" in refused.value.fields
    assert texts(w, "en")["1"] == TEXTS["1"]


def test_import_page_takes_a_docx_and_answers_misalignment_on_the_field(w, login):
    import docx

    document = docx.Document()
    document.add_paragraph("El Grupo, reunido en Ginebra, adopta las conclusiones siguientes:")
    document.add_heading("I. Principios rectores", 1)
    document.add_paragraph("1. Una migración laboral regida por normas equitativas beneficia a todos.")
    document.add_paragraph("2. Los Estados Miembros deberían ratificar las normas pertinentes.")
    document.add_heading("II. Contratación equitativa", 1)
    document.add_paragraph("3. No deberían cobrarse comisiones de contratación a los trabajadores.")
    document.add_paragraph("(a) Las agencias de empleo privadas deberían contar con licencia.")
    document.add_paragraph("(b) Los mecanismos de queja deberían ser accesibles.")
    document.add_paragraph("4. Las competencias deberían reconocerse más allá de las fronteras.")
    good = io.BytesIO()
    document.save(good)
    client = login(w.secretariat)
    url = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/languages/import"
    ok = client.post(url, data={"language": "es", "file": (io.BytesIO(good.getvalue()), "es.docx")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    assert texts(w, "es")["3(a)"] == "Las agencias de empleo privadas deberían contar con licencia."
    short = client.post(url, data={"language": "fr", "text": FRENCH.replace("4. Les compétences", "Les compétences")})
    assert short.status_code == 422
    assert "the file has 1" in short.get_data(as_text=True)
    assert "fr" not in {k for (_p, k) in queries.current_texts(w.draft_id)}
    assert login(w.u["kenya"]).get(url).status_code == 403


# --- the side-by-side view and the reader's language ---------------------------------------------------

def test_side_by_side_shows_the_three_languages_and_what_is_missing(w, login):
    run(drafts.set_translation, w.secretariat, para(w, "1"), language="fr", text="Texte français du paragraphe 1.")
    page = login(w.u["worker"]).get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/languages")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Texte français du paragraphe 1." in html and TEXTS["1"] in html
    assert "French: incomplete" in html and "Spanish: incomplete" in html
    assert "No text in Spanish yet." in html


def test_delegates_read_the_draft_in_their_language_with_a_marker_where_only_the_original_exists(w, login):
    run(drafts.set_translation, w.secretariat, para(w, "1"), language="es", text="Texto español del párrafo 1.")
    user = w.u["germany"]
    client = login(user)
    client.post("/account/language", data={"lang-locale": "es"})
    html = client.get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}").get_data(as_text=True)
    assert "Texto español del párrafo 1." in html
    assert TEXTS["2"] in html  # only the original exists: shown, with the marker
    assert html.count('class="meta language-missing"') == 6  # preamble, 2, 3, 3(a), 3(b), 4


def test_a_translation_older_than_an_adopted_change_is_out_of_date(w):
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="fr",
        text="Les États Membres devraient ratifier.")
    a = circulated(w)
    run(svc.second_amendment, w.u["germany"], a)
    run(svc.start_discussion, w.u["chair"], db.session.get(Amendment, a.id))
    run(svc.decide_amendment, w.u["chair"], db.session.get(Amendment, a.id), "adopted")
    report = services.coverage(draft(w))
    assert "2" in report.outdated["fr"] and "2" not in report.outdated["en"]
    assert not report.complete("fr")


# --- amendments in the three languages -----------------------------------------------------------------

def test_rule_20_secretariat_adds_an_amendments_translations_and_each_shows_what_is_missing(w, login):
    a = circulated(w, language="en")
    languages = services.draft_languages(draft(w))
    assert [v.state for v in services.language_versions(a, {}, languages)] == ["original", "missing", "missing"]
    run(services.set_amendment_translation, w.secretariat, a, language="fr",
        text="Les États Membres doivent ratifier les normes.", explanation="Plus ferme.")
    found = services.translations_of([a.id])[a.id]
    assert [v.state for v in services.language_versions(a, found, languages)] == ["original", "translated", "missing"]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "amendment.translate")) is not None
    html = login(w.u["worker"]).get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}").get_data(
        as_text=True)
    assert "French: translated" in html and "Spanish: missing" in html
    # A French reader reads the translation; a Spanish reader is told only the original exists.
    french = login(w.u["italy"])
    french.post("/account/language", data={"lang-locale": "fr"})
    assert "Les États Membres doivent ratifier les normes." in french.get(
        f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}").get_data(as_text=True)
    spanish = login(w.u["senegal"])
    spanish.post("/account/language", data={"lang-locale": "es"})
    assert 'class="meta language-missing"' in spanish.get(
        f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}").get_data(as_text=True)


def test_amendment_translations_are_the_secretariats_and_refuse_bad_input(w, login):
    a = circulated(w, language="en")
    with pytest.raises(NotAllowed):
        run(services.set_amendment_translation, w.u["kenya"], a, language="fr", text="Texte.")
    for language, text, field in (("en", "Same language.", "language"), ("fr", "  ", "text"), ("de", "Text.",
                                                                                                "language")):
        with pytest.raises(ValidationFailed) as refused:
            run(services.set_amendment_translation, w.secretariat, a, language=language, text=text)
        assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AmendmentTranslation)) == 0
    url = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}/translate"
    assert login(w.u["kenya"]).get(url).status_code == 403
    client = login(w.secretariat)
    assert client.get(url + "?language=es").status_code == 200
    saved = client.post(url, data={"language": "es", "text": "Los Estados Miembros deben ratificar.",
                                   "explanation": "Más firme."})
    assert saved.status_code == 302
    assert client.post(url, data={"language": "es", "text": "Los Estados Miembros deben ratificar.",
                                  "explanation": "Más firme."}).status_code == 422  # the same again: nothing changed


def test_an_edited_amendment_shows_its_translation_as_out_of_date(w):
    a = run(svc.file_amendment, w.u["kenya"], draft(w), para(w, "2"), mover=state("KE"), kind="modify",
            language="en", text=TEXTS["2"].replace("should", "shall"), explanation="Stronger.")
    run(svc.submit_amendment, w.u["kenya"], db.session.get(Amendment, a.id))
    run(services.set_amendment_translation, w.secretariat, db.session.get(Amendment, a.id), language="fr",
        text="Les États Membres doivent ratifier.")
    run(svc.return_amendment, w.secretariat, db.session.get(Amendment, a.id), message="Clarify.")
    run(svc.edit_amendment, w.u["kenya"], db.session.get(Amendment, a.id),
        text=TEXTS["2"].replace("should", "must"), explanation="Stronger.")
    a = db.session.get(Amendment, a.id)
    versions = services.language_versions(a, services.translations_of([a.id])[a.id], ["en", "fr", "es"])
    assert [v.state for v in versions] == ["original", "outdated", "missing"]
    assert services.reading_text(a, services.translations_of([a.id])[a.id], "fr")[2] == "en"


def test_a_draft_that_is_not_yet_submitted_is_not_translated(w):
    a = run(svc.file_amendment, w.u["kenya"], draft(w), para(w, "2"), mover=state("KE"), kind="modify",
            language="en", text=TEXTS["2"].replace("should", "shall"), explanation="Because.")
    with pytest.raises(NotAllowed):
        run(services.set_amendment_translation, w.secretariat, a, language="fr", text="Texte.")



# --- exports in the three languages (rule 35) ----------------------------------------------------------

def test_rule_35_final_text_in_an_incomplete_language_warns_and_never_leaves_a_paragraph_blank(w):
    from forum.exports import content
    from forum.exports.model import gather

    run(drafts.set_translation, w.secretariat, para(w, "1"), language="fr", text="Texte du paragraphe 1.")
    document = content.build("final", gather(draft(w), language="fr"))
    words = [" ".join(r.text for r in getattr(b, "runs", [])) for b in document.blocks]
    warning = next(t for t in words if t.startswith("Warning"))
    assert "French version is incomplete" in warning and "preamble, 2, 3, 3(a), 3(b), 4" in warning
    assert any(t.startswith("Texte du paragraphe 1.") for t in words)
    assert any(t.startswith(f"[English] {TEXTS['2']}") for t in words)
    # Complete: no warning.
    run(services.import_translation, w.secretariat, draft(w), language="fr", parsed=parse_text(FRENCH))
    document = content.build("final", gather(draft(w), language="fr"))
    assert [b.text for b in document.blocks if type(b).__name__ == "Heading"][:2] == [
        "Principes directeurs", "Recrutement équitable"]
    assert not any(" ".join(r.text for r in getattr(b, "runs", [])).startswith("Warning") for b in document.blocks)
    assert not any(" ".join(r.text for r in getattr(b, "runs", [])).startswith("Warning")
                   for b in content.build("final", gather(draft(w), language="en")).blocks)


def test_status_table_side_by_side_in_the_three_languages(w, login):
    import csv

    a = circulated(w)
    run(services.set_amendment_translation, w.secretariat, a, language="es", text="Los Estados deben ratificar.")
    run(drafts.set_translation, w.secretariat, para(w, "2"), language="es", text="Los Estados deberían ratificar.")
    client = login(w.secretariat)
    response = client.get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/exports/status.csv?lang=all")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-status-en-fr-es.csv"')
    rows = list(csv.reader(response.get_data(as_text=True).lstrip("\ufeff").splitlines()))
    header = rows[1]
    assert header[-3:] == ["Text (English)", "Text (French)", "Text (Spanish)"]
    by_label = {(r[0], r[1]): r for r in rows[2:]}
    assert by_label[("paragraph", "2")][-3:] == [TEXTS["2"], "[no text in this language]",
                                                 "Los Estados deberían ratificar."]
    amendment = next(r for r in rows[2:] if r[0] == "amendment")
    assert amendment[-1] == "Los Estados deben ratificar." and amendment[-2] == "[no text in this language]"
    page = client.get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/exports?lang=fr").get_data(as_text=True)
    assert "The French version is incomplete." in page and "status.csv?lang=all" in page
    assert login(w.u["kenya"]).get(
        f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/exports/status.csv?lang=all").status_code == 403


def test_rule_23_the_compilation_is_circulated_in_each_language(w, login):
    import docx

    a = circulated(w)
    run(services.set_amendment_translation, w.secretariat, a, language="fr", text="Les États doivent ratifier.",
        explanation="Plus ferme.")
    client = login(w.u["worker"])
    url = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/compilations/1.docx"

    def words(language: str) -> str:
        response = client.get(f"{url}?lang={language}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].endswith(f'-compilation-1-{language}.docx"')
        return "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)

    french, spanish = words("fr"), words("es")
    assert "Les États doivent ratifier." in french and "Plus ferme." in french
    assert "Not yet available in Spanish: only the original in English exists." in spanish
    assert "Les États doivent ratifier." not in words("en")


def test_the_api_reads_and_sets_an_amendments_language_versions(w, app):
    from forum.accounts.services import create_token

    a = circulated(w)
    with unit_of_work():
        secretariat_token = create_token(db.session.merge(w.secretariat), "translations")
        kenya_token = create_token(db.session.merge(w.u["kenya"]), "reading")
    client = app.test_client()
    url = f"/api/v1/amendments/{a.id}"
    put = client.put(f"{url}/translations/es", json={"text": "Los Estados deben ratificar.", "explanation": "Más."},
                     headers={"Authorization": f"Bearer {secretariat_token}"})
    assert put.status_code == 200, put.get_json()
    again = client.put(f"{url}/translations/es", json={"text": "Los Estados deben ratificar.", "explanation": "Más."},
                       headers={"Authorization": f"Bearer {secretariat_token}"})
    assert again.status_code == 200  # the same again: left as it is
    body = client.get(f"{url}/languages", headers={"Authorization": f"Bearer {kenya_token}"}).get_json()
    assert [(v["language"], v["state"]) for v in body["versions"]] == [
        ("en", "original"), ("fr", "missing"), ("es", "translated")]
    assert body["versions"][2]["text"] == "Los Estados deben ratificar."
    refused = client.put(f"{url}/translations/fr", json={"text": "Texte."},
                         headers={"Authorization": f"Bearer {kenya_token}"})
    assert refused.status_code == 403
    original = client.put(f"{url}/translations/en", json={"text": "Text."},
                          headers={"Authorization": f"Bearer {secretariat_token}"})
    assert original.status_code == 422 and "language" in original.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AmendmentTranslation)) == 1
