"""`python -m imagebuilder_mock.server`: the same as the `imagebuilder-mock-server` console script."""

import sys

from . import main

sys.exit(main())
