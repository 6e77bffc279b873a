"""PySide6 widgets, models, dialogs, tray and clipboard. Only bootstrap/cli import this layer."""
