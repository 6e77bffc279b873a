"""Render the app icon from its SVG (run after editing resources/icons/tokendeck.svg): its PNG
sizes (the hicolor theme, the window), the Windows .ico and the macOS .icns the bundles use.

Qt's image writers put one image in each: a 256 px .ico (Windows scales it down) and a
512 px .icns."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

PACKAGING = Path(__file__).resolve().parent
ICONS = PACKAGING.parent / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)
SYSTEM_ICONS = {
    PACKAGING / "windows" / "tokendeck.ico": 256,
    PACKAGING / "macos" / "tokendeck.icns": 512,
}


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "tokendeck.svg"))

    def render(size: int) -> QImage:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        return image

    for size in SIZES:
        render(size).save(str(ICONS / f"tokendeck-{size}.png"))
    for path, size in SYSTEM_ICONS.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(path)):
            print(f"could not write {path} (Qt's image format plugin missing?)", file=sys.stderr)
            return 1
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
