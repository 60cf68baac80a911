"""`python -m shared.sandbox`: serve the sandbox OvalEdge until SIGINT/SIGTERM."""

import sys

from shared.sandbox.server import main

sys.exit(main())
