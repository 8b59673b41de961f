"""Account changes: sign-in checks, passwords and their reset, flags, API tokens."""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import smtplib
import unicodedata
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale, gettext, ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from forum import realtime
from forum.accounts import throttle
from forum.accounts.models import LOCALES, ApiToken, PasswordReset, User
from forum.audit.services import record
from forum.db import utcnow
from forum.errors import NotAllowed, NotFound, Throttled, ValidationFailed
from forum.extensions import db
from forum.permissions import can_manage_users

log = logging.getLogger(__name__)

MIN_PASSWORD = 10


@functools.cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so that both failures take about as long: made like
    every real hash (werkzeug's default method and cost), so it follows that default if it changes."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()


def has_control_characters(text: str) -> bool:
    """Line breaks and escape sequences in a name would forge lines in logs, exports and terminals."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def validate_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            "The password is too short.",
            {field: [f"Use at least {MIN_PASSWORD} characters."]},
        )


def authenticate(email: str, password: str, address: str) -> User:
    """Return the user, or raise with one message for unknown email and wrong password alike."""
    email = normalise_email(email)
    wait = throttle.blocked(email, address)
    if wait:
        scope, seconds = wait
        minutes = max(1, round(seconds / 60))
        raise Throttled(
            "Too many failed sign-in attempts for this account." if scope == "account"
            else "Too many failed sign-in attempts from this network.",
            retry_after=seconds, minutes=minutes, scope=scope,
        )
    user = user_by_email(email)
    if user is None:
        from werkzeug.security import check_password_hash

        check_password_hash(_dummy_hash(), password)
        throttle.record_failure(email, address)
        raise ValidationFailed("Wrong email or password.")
    if not user.check_password(password):
        throttle.record_failure(email, address)
        raise ValidationFailed("Wrong email or password.")
    if not user.active:
        raise NotAllowed("This account has been deactivated. Ask the meeting secretariat.")
    throttle.clear_account(email)
    return user


def unlock_account(actor: User, user: User) -> None:
    """An administrator lifts the sign-in lock of an account (after the owner confirmed it was them)."""
    if not can_manage_users(actor):
        raise NotAllowed("Only an administrator can unlock accounts.")
    throttle.clear_account(user.email)
    record(actor, "user.unlock", user)


def confirm_password(user: User, password: str, address: str) -> None:
    """Re-authentication before a sensitive action; failures count like failed sign-ins."""
    wait = throttle.blocked(user.email, address)
    if wait:
        raise Throttled("Too many failed sign-in attempts for this account.", retry_after=wait[1],
                        minutes=max(1, round(wait[1] / 60)), scope="account")
    if not user.check_password(password):
        throttle.record_failure(user.email, address)
        raise ValidationFailed("Wrong password.", {"password": ["The password is wrong."]})


def note_login(user: User) -> None:
    user.last_login_at = utcnow()
    record(user, "user.login", user)


def create_user(actor: User | None, email: str, name: str, password: str | None = None, *,
                staff: bool = False, admin: bool = False, locale: str = "en") -> User:
    """Create an account. `actor` None means the command line (the operator of the host)."""
    if actor is not None and not can_manage_users(actor):
        raise NotAllowed("Only an administrator can create accounts.")
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed("Invalid email.", {"email": ["Enter a valid email address."]})
    if not name.strip():
        raise ValidationFailed("Name missing.", {"name": ["Enter a name."]})
    if has_control_characters(name):
        raise ValidationFailed("Invalid name.", {"name": ["Use letters, not line breaks or control characters."]})
    if user_by_email(email):
        raise ValidationFailed("Email taken.", {"email": ["An account with this email exists."]})
    user = User(email=email, name=name.strip(), locale=locale if locale in LOCALES else "en",
                is_staff=staff, is_admin=admin, active=True, session_generation=1)
    if password is None:
        user.set_password(secrets.token_urlsafe(32))  # unusable until the user resets it
    else:
        validate_password(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, {"email": email, "staff": staff, "admin": admin})
    return user


def set_flags(actor: User, user: User, *, staff: bool | None = None, admin: bool | None = None,
              active: bool | None = None) -> None:
    if not can_manage_users(actor):
        raise NotAllowed("Only an administrator can change accounts.")
    if actor.id == user.id and (admin is False or active is False):
        raise ValidationFailed("You cannot remove your own administrator rights or deactivate yourself.")
    changes: dict[str, Any] = {}
    for name, value in (("is_staff", staff), ("is_admin", admin), ("active", active)):
        if value is not None and getattr(user, name) != value:
            setattr(user, name, value)
            changes[name] = value
    if not changes:
        return
    if changes.get("active") is False:
        end_sessions(user)
    record(actor, "user.flags", user, changes)


def end_sessions(user: User) -> None:
    """Invalidate every session cookie, remember cookie and socket issued before now."""
    user.session_generation += 1
    realtime.publish(realtime.room("user", user.id), "session.ended", {"user_id": user.id})


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise ValidationFailed("Wrong password.", {"current_password": ["The current password is wrong."]})
    validate_password(new, "new_password")
    user.set_password(new)
    end_sessions(user)
    record(user, "user.password_change", user)


def set_locale(user: User, locale: str) -> None:
    if locale not in LOCALES:
        raise ValidationFailed("Unknown language.", {"locale": ["Choose English, French or Spanish."]})
    user.locale = locale


# --- password reset -----------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_link(reset: PasswordReset) -> str:
    token = _serializer().dumps({"r": reset.id, "g": reset.user.session_generation})
    return url_for("accounts.reset_password", token=token, _external=True)


def request_reset(email: str) -> PasswordReset | None:
    """Create a reset for a known, active account; say nothing about unknown ones."""
    user = user_by_email(email)
    if user is None or not user.active:
        return None
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    reset = PasswordReset(user=user, expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(reset)
    db.session.flush()
    link = reset_link(reset)
    if current_app.config.get("SMTP_HOST"):
        with force_locale(user.locale or "en"):  # in the user's language, whoever asked (issue 14)
            subject = gettext("Reset your Tripartite Forum password")
            intro = ngettext("Follow this link within %(num)d hour to choose a new password:",
                             "Follow this link within %(num)d hours to choose a new password:", hours)
        try:
            _send_mail(user.email, subject, f"{intro}\n\n{link}\n")
        except (smtplib.SMTPException, OSError) as exc:
            # The mail server is down or refuses: the link is handed over as without one, and the
            # asker gets the usual answer (an error page here would say that the account exists).
            log.error("password reset mail to %s failed (%s: %s)", user.email, type(exc).__name__, exc)
        else:
            reset.delivered_by_mail = True
    if not reset.delivered_by_mail:
        # No mail (server): the meeting secretariat hands the link over (see the reset page).
        log.warning("password reset for %s: %s", user.email, link)
    record(None, "user.password_reset_requested", user, {"by_mail": reset.delivered_by_mail})
    return reset


def reset_from_token(token: str) -> PasswordReset:
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ValidationFailed("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise ValidationFailed("This link is not valid.") from exc
    reset = db.session.get(PasswordReset, data.get("r"))
    if (reset is None or reset.used_at is not None or reset.expires_at < utcnow()
            or reset.user.session_generation != data.get("g") or not reset.user.active):
        raise ValidationFailed("This link has already been used or is no longer valid.")
    return reset


def complete_reset(token: str, new_password: str) -> User:
    reset = reset_from_token(token)
    validate_password(new_password)
    user = reset.user
    user.set_password(new_password)
    reset.used_at = utcnow()
    end_sessions(user)  # also invalidates every other outstanding link
    record(user, "user.password_reset", user)
    return user


def _send_mail(to: str, subject: str, body: str) -> None:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
    msg.set_content(body)
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


# --- API tokens ----------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_TOKENS = 20


def tokens_of(user_id: int) -> sa.Select:
    return (sa.select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc()))


def create_token(user: User, name: str = "token") -> str:
    """A personal token for scripts and displays; only its hash is kept, the token is shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Name the token.", {"name": ["Name the token after where you will use it."]})
    if len(name) > 100:
        raise ValidationFailed("Name too long.", {"name": ["Use at most 100 characters."]})
    active = db.session.scalar(sa.select(sa.func.count()).select_from(tokens_of(user.id).subquery())) or 0
    if active >= MAX_TOKENS:
        raise ValidationFailed("Too many tokens.", {"name": [f"Revoke a token first: at most {MAX_TOKENS}."]})
    token = "tf_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=hash_token(token))
    db.session.add(row)
    db.session.flush()
    record(user, "user.token_create", row, {"name": name})
    return token


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one's own token; sockets authenticated with it lose their rights at once."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise NotFound("No such token.")
    row.revoked_at = utcnow()
    record(actor, "user.token_revoke", row, {"name": row.name})
    realtime.publish(realtime.room("user", actor.id), "token.revoked", {"token_id": row.id})
    return row


def token_row(token: str) -> ApiToken | None:
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).first()


def user_for_token(token: str) -> User | None:
    row = token_row(token)
    if row is None or not row.user.active:
        return None
    return row.user


def pending_resets_for_meeting(meeting_id: int) -> list[PasswordReset]:
    """Open reset requests of the meeting's participants, for the secretariat to hand over.

    Only used when no mail server is configured; each handing-over is audited.
    """
    from forum.meetings.models import Participant

    stmt = (
        sa.select(PasswordReset)
        .join(Participant, Participant.user_id == PasswordReset.user_id)
        .where(Participant.meeting_id == meeting_id, Participant.removed_at.is_(None),
               PasswordReset.used_at.is_(None), PasswordReset.expires_at > utcnow(),
               PasswordReset.delivered_by_mail.is_(False))
        .order_by(PasswordReset.created_at.desc())
    )
    resets = list(db.session.scalars(stmt))
    # A newer request or a password change makes older links void: list only the usable ones.
    latest: dict[int, PasswordReset] = {}
    for r in resets:
        latest.setdefault(r.user_id, r)
    return list(latest.values())


def reveal_reset_link(actor: User, meeting: Any, reset: PasswordReset) -> str:
    from forum.permissions import can_view_password_resets

    if not can_view_password_resets(actor, meeting):
        raise NotAllowed("Only the meeting secretariat hands over reset links.")
    if reset not in pending_resets_for_meeting(meeting.id):
        raise ValidationFailed("This request is no longer open.")
    record(actor, "user.password_reset_link_handed_over", reset.user, {"reset": reset.id},
           meeting_id=meeting.id)
    return reset_link(reset)
