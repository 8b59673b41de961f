"""The application object for gunicorn and `flask --app wsgi`."""

from forum import create_app, settle_heap

app = create_app()
settle_heap()  # each worker imports this module once, before it serves
