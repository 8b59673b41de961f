"""The status board and the live sitting screens show the texts in the reader's language, with the
marker where only the original exists (issue 14); the projector in the original unless ?lang=."""

from __future__ import annotations

import json
import re

import pytest

from forum.db import unit_of_work
from forum.drafting import drafts
from forum.languages import services
from forum.sittings import queries
from tests.drafting_world import TEXTS, para
from tests.i18n.test_texts import circulated
from tests.sittings_world import build, run

FRENCH_2 = "Les États Membres devraient ratifier les normes pertinentes."
SPANISH_2 = "Los Estados Miembros deberían ratificar las normas pertinentes."
MARKER = 'class="meta language-missing"'


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    w = build(make_user, make_meeting, make_participant)
    with unit_of_work():
        drafts.set_translation(w.secretariat, para(w, "2"), language="fr", text=FRENCH_2)
    with unit_of_work():
        drafts.set_translation(w.secretariat, para(w, "2"), language="es", text=SPANISH_2)
    return w


def reader(login, user, locale: str):
    client = login(user)
    client.post("/account/language", data={"lang-locale": locale})
    return client


def embedded_state(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="sitting-state">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def item_region(html: str) -> str:
    return html.split("data-item>", 1)[1].split("</div>", 1)[0]


def sitting_url(w, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}{tail}"


def test_a_french_delegates_live_view_shows_the_french_text(w, login):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    html = reader(login, w.u["italy"], "fr").get(sitting_url(w)).get_data(as_text=True)
    region = item_region(html)
    assert FRENCH_2 in region and TEXTS["2"] not in region and MARKER not in region
    assert 'data-language="fr"' in html
    # The state carries every language's words: live updates let each client pick its own.
    texts = embedded_state(html)["item"]["texts"]
    assert texts["fr"]["text"] == FRENCH_2 and texts["es"]["text"] == SPANISH_2 and texts["en"]["text"] == TEXTS["2"]


def test_a_paragraph_without_a_french_text_shows_the_original_with_the_marker_live(w, login):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "3").id)
    region = item_region(reader(login, w.u["italy"], "fr").get(sitting_url(w)).get_data(as_text=True))
    assert TEXTS["3"] in region and MARKER in region and 'lang="en"' in region
    english = item_region(reader(login, w.u["kenya"], "en").get(sitting_url(w)).get_data(as_text=True))
    assert TEXTS["3"] in english and MARKER not in english


def test_the_projector_shows_the_original_unless_lang_picks_another_of_the_meetings_languages(w, login):
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    client = reader(login, w.u["italy"], "fr")
    original = item_region(client.get(sitting_url(w, "/projector")).get_data(as_text=True))
    assert TEXTS["2"] in original and FRENCH_2 not in original
    spanish = client.get(sitting_url(w, "/projector?lang=es")).get_data(as_text=True)
    assert SPANISH_2 in item_region(spanish) and 'data-language="es"' in spanish
    unknown = item_region(client.get(sitting_url(w, "/projector?lang=de")).get_data(as_text=True))
    assert TEXTS["2"] in unknown
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "3").id)
    missing = item_region(client.get(sitting_url(w, "/projector?lang=es")).get_data(as_text=True))
    assert TEXTS["3"] in missing and MARKER in missing


def test_an_amendment_before_the_sitting_is_read_in_its_translation_where_one_exists(w, login):
    a = circulated(w)
    with unit_of_work():
        services.set_amendment_translation(w.secretariat, a, language="fr", text="Les États Membres doivent ratifier.")
    run(w, "chair", "set_item", kind="amendment", id=a.id)
    item = queries.item_view(queries.live_of(w.sitting_id))
    french_text = item["texts"]["fr"]
    assert french_text["text"] == "Les États Membres doivent ratifier." and french_text["language"] == "fr"
    assert item["texts"]["es"]["language"] == "en" and item["texts"]["es"]["text"] == a.text
    french = item_region(reader(login, w.u["italy"], "fr").get(sitting_url(w)).get_data(as_text=True))
    assert "doivent" in french and MARKER not in french
    spanish = item_region(reader(login, w.u["senegal"], "es").get(sitting_url(w)).get_data(as_text=True))
    assert MARKER in spanish


def test_a_french_delegates_board_shows_the_french_text_and_the_marker_elsewhere(w, login):
    a = circulated(w)
    with unit_of_work():
        services.set_amendment_translation(w.secretariat, a, language="fr", text="Les États Membres doivent ratifier.")
    url = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/board"
    html = reader(login, w.u["italy"], "fr").get(url).get_data(as_text=True)
    row2 = html.split(f'id="board-paragraph-{para(w, "2").id}"', 1)[1].split("</tr>", 1)[0]
    assert FRENCH_2 in row2 and MARKER not in row2
    row3 = html.split(f'id="board-paragraph-{para(w, "3").id}"', 1)[1].split("</tr>", 1)[0]
    assert TEXTS["3"] in row3 and MARKER in row3
    row_a = html.split(f'id="board-amendment-{a.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Les États Membres doivent ratifier." in row_a and MARKER not in row_a
    english = login(w.u["kenya"]).get(url).get_data(as_text=True)
    assert TEXTS["2"] in english and FRENCH_2 not in english
