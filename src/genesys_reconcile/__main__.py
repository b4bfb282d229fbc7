import sys

from genesys_reconcile.cli import main

sys.exit(main())
