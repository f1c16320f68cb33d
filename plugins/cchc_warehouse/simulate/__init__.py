"""The source simulator: realistic landing folders for the three systems, every defect, and the
ground truth the warehouse must reproduce (see docs/simulator.md).

    from cchc_warehouse.simulate import generate, DEFECT_CLASSES
    summary = generate(Path("landing"), date(2021, 1, 1), date(2021, 2, 28), seed=1)
"""

from cchc_warehouse.simulate.defects import DEFECT_CLASSES, parse_defects
from cchc_warehouse.simulate.engine import generate
from cchc_warehouse.simulate.world import REORG_DATE, SCALES

__all__ = ["DEFECT_CLASSES", "REORG_DATE", "SCALES", "generate", "parse_defects"]
