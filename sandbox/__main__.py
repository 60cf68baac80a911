"""`python -m sandbox`: serve the sandbox OvalEdge until SIGINT/SIGTERM."""

import sys

from sandbox.server import main

sys.exit(main())
