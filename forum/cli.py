"""`flask --app wsgi forum ...`: the operator's and secretariat's commands."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from forum.db import unit_of_work
from forum.errors import DomainError

forum_cli = AppGroup("forum", help="Tripartite Forum commands.")


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@forum_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--staff", is_flag=True, help="May create meetings.")
@click.option("--admin", is_flag=True, help="May manage accounts.")
def create_user_command(email: str, name: str, password: str, staff: bool, admin: bool) -> None:
    """Create an account."""
    from forum.accounts.services import create_user

    try:
        with unit_of_work():
            user = create_user(None, email, name, password, staff=staff, admin=admin)
    except DomainError as exc:
        fail("; ".join([exc.message, *(m for ms in exc.fields.values() for m in ms)]))
    click.echo(f"Created {user.email}" + (" (staff)" if staff else "") + (" (admin)" if admin else ""))


@forum_cli.command("create-token")
@click.argument("emails", nargs=-1, required=True)
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token_command(emails: tuple[str, ...], name: str) -> None:
    """Create an API token for each account; prints one `email<TAB>token` line per address."""
    from forum.accounts.services import create_token, user_by_email

    with unit_of_work():
        users = [user_by_email(email) for email in emails]
        unknown = [email for email, user in zip(emails, users, strict=True) if user is None or not user.active]
        if unknown:
            fail("no active account for " + ", ".join(unknown) + "; nothing was created")
        lines = [f"{user.email}\t{create_token(user, name)}" for user in users if user is not None]
    click.echo("\n".join(lines))


@forum_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
def serve_command(host: str, port: int) -> None:
    """Serve the app with its live channel (embedded mode: one process, threads)."""
    from flask import current_app

    from forum.extensions import socketio

    click.echo(f"Serving Tripartite Forum on http://{host}:{port}  (Ctrl+C to stop)")
    # Werkzeug refuses to serve from inside the `flask` command unless told this is intended.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    socketio.run(current_app._get_current_object(), host=host, port=port,
                 allow_unsafe_werkzeug=True, use_reloader=False)


@forum_cli.command("verify-audit")
@click.option("--anchor", "anchor", type=click.Path(exists=True, dir_okay=False),
              help="A backup's manifest.json: also check the chain heads it recorded.")
def verify_audit_command(anchor: str | None) -> None:
    """Recompute every audit chain; name the first broken entry of each (exit 1 if any)."""
    from pathlib import Path

    from forum.audit.services import verify_chains
    from forum.backup import read_anchors

    reports = verify_chains(read_anchors(Path(anchor)) if anchor else None)
    for report in reports:
        click.echo(report.line())
    if not reports:
        click.echo("No audit chain yet.")
    if any(not r.ok for r in reports):
        sys.exit(1)


@forum_cli.command("backup")
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a non-empty folder, replacing a backup there.")
def backup_command(path: str, force: bool) -> None:
    """Copy the database (consistently) and the uploads folder into PATH, with a manifest."""
    from pathlib import Path

    from forum.backup import make_backup, record_backup

    try:
        manifest = make_backup(Path(path), force=force)
    except DomainError as exc:
        fail(exc.message)
    with unit_of_work():
        record_backup(Path(path), manifest)
    size = sum(f["size"] for f in manifest["files"])
    click.echo(f"Backed up the {manifest['database']['kind']} database (revision {manifest['alembic_revision']}) "
               f"and {len(manifest['files']) - 1} uploaded files, {size} bytes, to {Path(path).absolute()}")


@forum_cli.command("import-participants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--meeting", "meeting_id", required=True, type=int, help="The meeting's id.")
@click.option("--as", "as_email", help="Import as this member of the meeting's secretariat "
              "(default: its first secretariat participant, usually the meeting's creator).")
@click.option("--effective-from", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date from which membership changes take effect (default: today for new participants, "
                   "the next day for changes).")
def import_participants_command(file: str, meeting_id: int, as_email: str | None, effective_from: Any) -> None:
    """Accredit the participants listed in a CSV FILE: all rows or none; never removes anyone."""
    from flask import current_app

    from forum.accounts.services import user_by_email
    from forum.extensions import db
    from forum.meetings.accreditation import first_secretariat, import_participants
    from forum.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        fail(f"No meeting with id {meeting_id}.")
    actor = user_by_email(as_email) if as_email else first_secretariat(meeting)
    if actor is None:
        fail(f"No account {as_email}." if as_email else "The meeting has no secretariat participant.")
    with open(file, "rb") as fh:
        data = fh.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    try:
        with unit_of_work():
            report = import_participants(actor, meeting, data,
                                         effective_from=effective_from.date() if effective_from else None)
    except DomainError as exc:
        for row, column, message in exc.data.get("errors", []):
            click.echo(f"row {row}, {column}: {message}" if row else f"{column}: {message}", err=True)
        fail(exc.message)
    click.echo(f"Imported as {actor.email}: {report.created} added, {report.updated} updated, "
               f"{report.unchanged} unchanged, {report.accounts_created} new accounts.")


@forum_cli.command("demo")
def demo_command() -> None:
    """Load the demo meeting (idempotent) and print its accounts: email, password, role."""
    from flask import current_app

    from forum.meetings.demo import load_demo

    if current_app.config["ENV_NAME"] == "production":
        fail("The demo's accounts have published passwords (an administrator among them); "
             "production never loads them. Create accounts with `forum create-user`.")

    try:
        with unit_of_work():
            result = load_demo()
            meeting = result.meeting
            heading = (f"{'Created' if result.created else 'Found'} the demo meeting {meeting.symbol_prefix} "
                       f"(id {meeting.id}): {meeting.title}, {meeting.starts_on} to {meeting.ends_on}, "
                       f"times in {meeting.timezone}.")
    except DomainError as exc:
        for row, column, message in exc.data.get("errors", []):
            click.echo(f"row {row}, {column}: {message}", err=True)
        fail("; ".join([exc.message, *(m for ms in exc.fields.values() for m in ms)]))
    click.echo(heading)
    click.echo("Demo accounts (email  password  role):")
    for email, password, role in result.accounts:
        click.echo(f"{email}  {password}  {role}")


def register(app: Flask) -> None:
    app.cli.add_command(forum_cli)
