import sys

from bench.peak.run import main

sys.exit(main())
