"""``python -m mm7.server``: serve the receiver configured by ``MM7_*`` variables (see ``hosting.main``)."""

import sys

from mm7.server.hosting import main

if __name__ == "__main__":
    sys.exit(main())
