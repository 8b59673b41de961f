"""Group positions, attributed Government statements, internal polls, votes and decisions
(PROCEDURE.md §6). Items are paragraphs and amendments of a draft (see `items`)."""
