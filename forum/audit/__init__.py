"""Audit: append-only hash chains, one per meeting and one global."""
