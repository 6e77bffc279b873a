"""Adapters for the remote platforms, behind one async interface. httpx only; no Qt."""
