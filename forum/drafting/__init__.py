"""Draft conclusions and the amendment workflow (PROCEDURE.md §4–§5)."""
