"""Icons, desktop entry and AppStream metadata, shipped inside the package as tokendeck.resources."""
