"""The report of the meeting (issue #10, PROCEDURE.md rule 34): summaries of interventions,
speakers' corrections, publication and adoption."""
