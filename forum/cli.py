"""`flask --app wsgi forum ...`: the operator's and secretariat's commands."""

from __future__ import annotations

import sys

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


@forum_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
def serve_command(host: str, port: int) -> None:
    """Serve the app with its live channel (embedded mode: one process, threads)."""
    from flask import current_app

    from forum.extensions import socketio

    click.echo(f"Serving Tripartite Forum on http://{host}:{port}  (Ctrl+C to stop)")
    socketio.run(current_app._get_current_object(), host=host, port=port,
                 allow_unsafe_werkzeug=True, use_reloader=False)


def register(app: Flask) -> None:
    app.cli.add_command(forum_cli)
