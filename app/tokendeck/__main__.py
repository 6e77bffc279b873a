import sys

from tokendeck.cli import main

sys.exit(main())
