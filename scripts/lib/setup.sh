# Shared by scripts/run and scripts/test: system packages and the project's virtual environment.
# shellcheck shell=bash

TD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TD_VENV="${TOKENDECK_VENV:-$TD_ROOT/.venv}"

# Runtime libraries Qt's xcb platform plugin loads, plus the desktop stack the tests drive.
TD_APT_RUNTIME=(libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
    libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0)
# faketime: scripts/test runs the non-GUI tests again with the system clock shifted.
# dunst: a real notification daemon, started by tests/ui/test_desktop_notifications.py alone.
TD_APT_TEST=(xvfb trayer xclip xdotool x11-utils gnome-keyring dbus-x11 faketime ca-certificates
    dunst)
# packaging/build: the Debian package tools, the desktop entry and AppStream validators, and
# binutils (PyInstaller reads the libraries' headers with objdump).
TD_APT_BUILD=(dpkg-dev fakeroot desktop-file-utils appstream binutils python3-venv)
# The Wayland client libraries Qt's wayland platform plugin links: the bundle carries that
# plugin, so building it needs them (running it on X11 does not).
TD_APT_BUNDLE=(libwayland-client0 libwayland-cursor0 libwayland-egl1)

td_log() { printf '[tokendeck] %s\n' "$*" >&2; }

# Install the Debian packages that are missing, when we may (root with apt-get); otherwise name them.
td_ensure_apt() {
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 || { td_log "not Debian: make sure these are installed: $*"; return 0; }
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        td_log "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        td_log "missing system packages (install them, e.g. sudo apt-get install ${missing[*]})"
        return 1
    fi
}

# Create the virtual environment and install TokenDeck (editable) with the given extras, once per
# change of pyproject.toml.
td_ensure_venv() {
    local extras="$1" stamp want
    [ -x "$TD_VENV/bin/python" ] || python3 -m venv "$TD_VENV"
    stamp="$TD_VENV/.tokendeck-installed"
    want="$(sha256sum "$TD_ROOT/pyproject.toml" | cut -c1-64) $extras"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        td_log "installing Python packages into $TD_VENV"
        "$TD_VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
        "$TD_VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$TD_ROOT[$extras]"
        printf '%s' "$want" > "$stamp"
    fi
}
