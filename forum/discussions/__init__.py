"""Threaded discussions in a meeting's spaces: threads, nested posts, revisions, read markers, search."""
