"""Exports of a draft (issue #8): conclusions final and marked, the compilation of amendments,
the record of decisions, the status table and the whole draft."""
