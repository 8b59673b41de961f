"""The services' error messages reach the reader in their language (issue 14).

Services raise DomainErrors with constant English messages; babel.cfg's Python extractor
(forum/i18n.py) puts them in the catalogues, and pages, error pages and socket acknowledgements
pass them through gettext (DomainError.localized).
"""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import g
from flask_babel import Domain

from forum import extensions as ext
from forum.errors import NotAllowed, ValidationFailed
from forum.i18n import DOMAIN_ERRORS, _messages
from tests.i18n.test_catalogues import source_strings

ROOT = Path(__file__).resolve().parents[2]


def _constant_domain_messages() -> set[str]:
    found = set()
    for path in (ROOT / "forum").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DOMAIN_ERRORS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and " " in node.args[0].value and node.args[0].value[0].isupper()):
                found.add(node.args[0].value)
    return found


def test_every_constant_service_message_is_extracted_for_translation():
    messages = _constant_domain_messages()
    assert len(messages) > 200  # the services say a lot; the walk above found them
    assert messages <= source_strings()
    # Field errors too, whether given with the error or collected first.
    assert "Choose English, French or Spanish." in source_strings()  # accounts.services.set_locale
    assert "Choose one of the meeting's languages." in source_strings()  # errors["language"] = [...]


def test_the_extractor_skips_field_names_and_pieces_of_f_strings():
    tree = ast.parse('raise ValidationFailed("Bad input.", {"a field": ["Enter a name."]})\n'
                     'errors["title"] = [f"At most {n} words, " + "then more."]\n'
                     'errors.setdefault("x", []).append("Choose one.")\n')
    assert sorted(m for _line, m in _messages(tree)) == ["Bad input.", "Choose one.", "Enter a name."]


def test_error_messages_are_shown_in_the_reader_language(app, client, tmp_path, monkeypatch):
    """A real catalogue (built here, as the translators' will be) turns a service's message and
    its field errors into French on pages and socket acks; the code stays the same."""
    catalogue = Catalog(locale="fr")
    catalogue.add("Unknown language.", "Langue inconnue.")
    catalogue.add("Choose English, French or Spanish.", "Choisissez l’anglais, le français ou l’espagnol.")
    catalogue.add("Page not found", "Page introuvable")
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "fr" / "LC_MESSAGES" / "messages.mo").open("wb") as out:
        write_mo(out, catalogue)
    # Flask-Babel keeps one message domain (and its cache) for every app: swap it for this test only.
    monkeypatch.setattr(ext.babel, "domain_instance", Domain(translation_directories=[str(tmp_path)]))
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        g.pop("_flask_babel", None)
        body = ValidationFailed("Unknown language.", {"locale": ["Choose English, French or Spanish."]}).localized()
    assert body == {"code": "validation_failed", "message": "Langue inconnue.",
                    "fields": {"locale": ["Choisissez l’anglais, le français ou l’espagnol."]}}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        g.pop("_flask_babel", None)
        assert NotAllowed("Unknown language.").localized()["message"] == "Unknown language."
    page = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert page.status_code == 404 and "Page introuvable" in page.get_data(as_text=True)
    g.pop("_flask_babel", None)


def test_the_reset_mail_is_written_in_the_users_language(app, client, make_user, smtp_server, monkeypatch):
    """Whoever asks (here a browser in English), the user reads the mail in their own language."""
    from flask_babel import get_locale

    from forum.accounts import services as account_services

    monkeypatch.setattr(account_services, "gettext", lambda text, **kw: f"[{get_locale()}] {text}")
    monkeypatch.setattr(account_services, "ngettext", lambda one, many, n, **kw: f"[{get_locale()}] {many}")
    user = make_user(locale="es")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    try:
        client.post("/password/forgot", data={"email": user.email}, headers={"Accept-Language": "en"})
    finally:
        app.config["SMTP_HOST"] = None
    mail = "\n".join(smtp_server.messages)
    assert "[es] Reset your Tripartite Forum password" in mail
    assert "[es] Follow this link within %(num)d hours" in mail
