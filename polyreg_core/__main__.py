import sys

from polyreg_core.cli import main

sys.exit(main())
