"""Async use cases over platforms and storage. No Qt: the UI subscribes to their events."""
