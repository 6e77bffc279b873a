"""Persistence: the SQLite catalog (metadata only, never a secret) and the secret stores."""
