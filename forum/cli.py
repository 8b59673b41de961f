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

    from forum import settle_heap
    from forum.extensions import socketio

    click.echo(f"Serving Tripartite Forum on http://{host}:{port}  (Ctrl+C to stop)")
    # Werkzeug refuses to serve from inside the `flask` command unless told this is intended.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    settle_heap()
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


@forum_cli.command("export")
@click.argument("draft")
@click.option("--kind", "kinds", multiple=True,
              help="final, marked, compilation, record, status, draft, conclusions, amendments (default: all).")
@click.option("--format", "formats", multiple=True,
              help="docx, pdf, html, md, csv, json, akn (default: every format of each kind).")
@click.option("--lang", "language", default=None, help="Language of the text (default: the original).")
@click.option("--out", "out_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the files to.")
@click.option("--as-of", "as_of", default=None, help="The stated timestamp (ISO 8601, UTC); default: now.")
def export_command(draft: str, kinds: tuple[str, ...], formats: tuple[str, ...], language: str | None,
                   out_dir: str, as_of: str | None) -> None:
    """Export a draft (its id or symbol): the secretariat's documents and data (rule 35)."""
    from datetime import UTC, datetime
    from pathlib import Path

    import sqlalchemy as sa
    from flask import current_app

    from forum.drafting.models import Draft
    from forum.exports import service
    from forum.exports.model import gather
    from forum.extensions import db

    wanted = [(k, f) for k, f in service.all_exports() if (not kinds or k in kinds) and (not formats or f in formats)]
    if not wanted:
        fail("no export matches those kinds and formats; see --help")
    stamp = None
    if as_of:
        try:
            stamp = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError:
            fail("--as-of: use ISO 8601, e.g. 2026-11-28T09:00:00Z")
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    with current_app.test_request_context("/"):
        found = db.session.get(Draft, int(draft)) if draft.isdigit() else db.session.scalars(
            sa.select(Draft).where(Draft.symbol == draft)).first()
        if found is None:
            fail(f"no draft {draft}")
        snapshot = gather(found, as_of=stamp, language=language)
        db.session.rollback()
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        for kind, fmt in wanted:
            export = service.render(snapshot, kind, fmt)
            (target / export.filename).write_bytes(export.data)
            click.echo(f"{target / export.filename}  {len(export.data):,} bytes")
    click.echo(snapshot.status_line)


@forum_cli.command("recount")
@click.argument("vote_id", type=int)
def recount_command(vote_id: int) -> None:
    """Recompute a closed vote's result from its stored ballots and compare it with the published
    one; exits with status 1 when they differ (rule 33)."""
    from forum.extensions import db
    from forum.positions import votes

    try:
        vote = votes.load_vote(vote_id)
        matches, again, differences = votes.recount(vote)
    except DomainError as exc:
        fail(exc.message)
    totals = again["totals"]
    click.echo(f"Vote {vote.id} ({vote.type.value}, {vote.majority.value} majority): "
               f"{again['ballots_cast']} ballots; for {totals['for']['raw']} ({totals['for']['weighted']} weighted), "
               f"against {totals['against']['raw']} ({totals['against']['weighted']}), "
               f"abstain {totals['abstain']['raw']} ({totals['abstain']['weighted']}); outcome {again['outcome']}")
    db.session.rollback()
    if not matches:
        fail("the recount differs from the published result in: " + ", ".join(differences))
    click.echo("The recount matches the published result.")


def register(app: Flask) -> None:
    app.cli.add_command(forum_cli)
