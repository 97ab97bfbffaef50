"""The service tests reuse the BIRD/GoBGP harness of tests/outputs and the StayRTR lab of
tests/sources_rtr."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in ("outputs", "sources_rtr"):
    path = str(HERE.parent / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
