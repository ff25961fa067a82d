"""Reading levels: measured offline, from our syllable table, without nltk."""

from __future__ import annotations

import subprocess
import sys

GRADE_IN_A_FRESH_PROCESS = """
import sys
from curriculum import readability
easy = readability.grade("The cat sat on the mat. We like the sun. It is a nice day.")
hard = readability.grade(
    "Institutional safeguarding responsibilities necessitate comprehensive documentation "
    "of disclosures, notwithstanding considerable organisational variability."
)
print(easy < 3 < 12 < hard, "nltk" in sys.modules)
"""


def test_grades_come_from_our_table_without_importing_nltk():
    """textstat would import nltk (half a second of every check) to download the CMU dictionary."""
    done = subprocess.run(
        [sys.executable, "-c", GRADE_IN_A_FRESH_PROCESS], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False"]
