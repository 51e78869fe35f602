import sys

from hls_sim.cli import main

sys.exit(main())
