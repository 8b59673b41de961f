"""Sign-in, sign-out, passwords, language, and the administrator's list of accounts."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from forum import ratelimit, realtime
from forum.accounts import services
from forum.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LocaleForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    TokenForm,
    UserFlagsForm,
    UserForm,
)
from forum.accounts.models import ApiToken, PasswordReset, User
from forum.db import unit_of_work
from forum.errors import DomainError, NotAllowed, Throttled
from forum.extensions import db
from forum.i18n import LANGUAGES
from forum.permissions import can_manage_users, can_view_password_resets
from forum.security import note_authenticated, recent_auth_required
from forum.templating import meeting_link
from forum.views_common import apply_errors, is_safe_next, paginate

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("meetings.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
                # First sign-in: the language chosen on this page, else the browser's best match.
                chosen = session.get("locale") or request.accept_languages.best_match(LANGUAGES)
                if user.last_login_at is None and chosen:
                    services.set_locale(user, chosen)
                services.note_login(user)
        except Throttled as exc:
            flash(_("Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes=exc.data["minutes"]), "error")
            status = 429
        except DomainError as exc:
            flash(_(exc.message), "error")
            status = 403 if isinstance(exc, NotAllowed) else 200
        else:
            session.clear()  # a new session at sign-in
            login_user(user, remember=form.remember.data)
            session.permanent = True
            session["remember"] = bool(form.remember.data)
            session["started_at"] = int(time.time())
            note_authenticated()
            session["locale"] = user.locale
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("meetings.dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/login/confirm", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """Type the password again before a sensitive action (REAUTH_MAX_AGE after signing in)."""
    form = ReauthenticateForm()
    target = request.args.get("next")
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.confirm_password(user, form.password.data, request.remote_addr or "")
        except Throttled as exc:
            flash(_("Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes=exc.data["minutes"]), "error")
            status = 429
        except DomainError as exc:
            apply_errors(form, exc)
            status = 422
        else:
            note_authenticated()
            flash(_("Confirmed. Send the form again."), "info")
            return redirect(target if is_safe_next(target) else url_for("meetings.dashboard"))
    return render_template("accounts/reauthenticate.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    with unit_of_work():
        db.session.add(user)
        services.end_sessions(user)
    realtime.disconnect_user(user.id)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


def _account_page(form: ChangePasswordForm | None = None, token_form: TokenForm | None = None,
                  new_token: str | None = None, status: int = 200):
    tokens = list(db.session.scalars(services.tokens_of(current_user.id)))
    return render_template("accounts/account.html", form=form or ChangePasswordForm(prefix="pw"),
                           locale_form=LocaleForm(prefix="lang", locale=current_user.locale),
                           token_form=token_form or TokenForm(prefix="token"), tokens=tokens,
                           new_token=new_token), status


@bp.post("/account/tokens")
@login_required
@recent_auth_required
def create_token():
    form = TokenForm(prefix="token")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with unit_of_work():
                db.session.add(user)
                token = services.create_token(user, form.name.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            # Shown once, in this response only: never flashed into the session cookie.
            return _account_page(new_token=token)
    return _account_page(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.revoked_at is not None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.revoke_token(current_user, token_id)
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
        return redirect(url_for("accounts.show_account"))
    return render_template("accounts/revoke_token.html", token=token, form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def show_account():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with unit_of_work():
                db.session.add(user)
                services.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            # Other sessions are now invalid; keep this one by re-issuing its identity.
            login_user(user)
            realtime.disconnect_user(user.id)
            flash(_("Your password is changed. Your other sessions have been signed out."), "success")
            return redirect(url_for("accounts.show_account"))
    return _account_page(form=form, status=200 if not form.errors else 422)


@bp.post("/account/language")
def set_language():
    form = LocaleForm(prefix="lang")
    if not form.validate():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        with unit_of_work():
            db.session.add(user)
            services.set_locale(user, form.locale.data)
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("meetings.dashboard"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Throttled quietly (no mail bombing, no flood of links): the answer is the same either way.
        email, cfg = services.normalise_email(form.email.data), current_app.config
        if (ratelimit.hit("reset-account", email, cfg["RESET_ACCOUNT_LIMIT"]) is None
                and ratelimit.hit("reset-address", request.remote_addr or "", cfg["RESET_ADDRESS_LIMIT"]) is None):
            with unit_of_work():
                services.request_reset(email)
        flash(_("If an account exists for this address, a reset link has been sent to it or, "
                "where the meeting has no mail server, to the meeting secretariat."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.reset_from_token(token)
    except DomainError as exc:
        flash(_(exc.message), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.complete_reset(token, form.password.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            realtime.disconnect_user(user.id)
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


# --- reset links handed over by the meeting secretariat (no mail server) ---------------------------

@bp.route("/meetings/<int:meeting_id>/password-resets", methods=["GET", "POST"])
@login_required
@recent_auth_required
def list_password_resets(meeting_id: int):
    from forum.meetings.views import load_meeting

    meeting = load_meeting(meeting_id)
    if not can_view_password_resets(current_user, meeting):
        abort(403)
    link = None
    if request.method == "POST":
        reset = db.get_or_404(PasswordReset, request.form.get("reset_id", type=int))
        try:
            with unit_of_work():
                link = services.reveal_reset_link(current_user, meeting, reset)
        except DomainError as exc:
            flash(_(exc.message), "error")
    resets = services.pending_resets_for_meeting(meeting.id)
    return render_template("accounts/password_resets.html", meeting=meeting, resets=resets, link=link)


meeting_link("accounts.list_password_resets", _l("Password resets"), can_view_password_resets)


# --- administration ------------------------------------------------------------------------------

@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
@recent_auth_required
def list_users():
    if not can_manage_users(current_user):
        abort(403)
    form = UserForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.create_user(current_user, form.email.data, form.name.data,
                                            staff=form.staff.data, admin=form.admin.data)
                reset = services.request_reset(user.email)
                link = services.reset_link(reset) if reset and not reset.delivered_by_mail else None
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Account created for %(email)s.", email=user.email), "success")
            if link:
                flash(_("Give the new user this link to choose a password: %(link)s", link=link), "info")
            return redirect(url_for("accounts.list_users"))
    q = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.email)
    if q:
        stmt = stmt.where(sa.or_(User.email.contains(q.lower()), User.name.contains(q)))
    page = paginate(stmt)
    return render_template("accounts/users.html", page=page, form=form, q=q)


@bp.post("/admin/users/<int:user_id>")
@login_required
@recent_auth_required
def update_user(user_id: int):
    if not can_manage_users(current_user):
        abort(403)
    user = db.get_or_404(User, user_id)
    form = UserFlagsForm()
    if not form.validate():
        abort(400)
    try:
        with unit_of_work():
            services.set_flags(current_user, user, staff=form.staff.data, admin=form.admin.data,
                               active=form.active.data)
    except DomainError as exc:
        flash(_(exc.message), "error")
    else:
        if not user.active:
            realtime.disconnect_user(user.id)
        flash(_("Account %(email)s updated.", email=user.email), "success")
    return redirect(url_for("accounts.list_users"))


@bp.post("/admin/users/<int:user_id>/unlock")
@login_required
@recent_auth_required
def unlock_user(user_id: int):
    """Lift the sign-in lock after too many failures (the user asked the secretariat)."""
    if not can_manage_users(current_user):
        abort(403)
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate():
        abort(400)
    with unit_of_work():
        services.unlock_account(current_user, user)
    flash(_("Account %(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("accounts.list_users"))
