"""Accounts: users, sign-in, passwords and their reset, API tokens."""
