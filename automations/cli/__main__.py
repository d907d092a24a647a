"""``python -m automations.cli``: the `mila` command."""

import sys

from . import main

sys.exit(main())
