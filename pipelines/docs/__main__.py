"""python -m pipelines.docs [--check]: regenerate the generated user docs."""
import sys

from pipelines.docs import main

sys.exit(main())
