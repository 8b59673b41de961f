"""The texts in English, French and Spanish: translations of drafts and amendments (issue 14)."""
