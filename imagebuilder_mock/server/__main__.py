"""`python -m imagebuilder_mock.server`: the same as the `imagebuilder-mock-server` console script."""

import sys

from . import main

if __name__ == "__main__":  # not when a package walk imports it
    sys.exit(main())
