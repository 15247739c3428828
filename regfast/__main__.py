"""``python -m regfast``: the command line (see ``regfast --help``)."""

import sys

from .cli import main

sys.exit(main())
