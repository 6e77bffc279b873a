"""The standalone bundle's entry point: the same `main` as the `tokendeck` command of a wheel."""

import sys

from tokendeck.cli import main

if __name__ == "__main__":
    sys.exit(main())
