"""The sizes of a robustness study, apart so that `hls-sim --help` can quote them without loading numpy.

Why these numbers: docs/robustness.md, "How many sets".
"""

SCREEN_MIN = 8  # with this few uncertain parameters every one is analysed and the screen is skipped
MIN_SCREEN = 40  # the screen's sets: half the number of uncertain parameters, at least this many
SAMPLES_PER_PARAMETER = 10  # the sets: ten per parameter carried, at least MIN_SAMPLES
MIN_SAMPLES = 50
DEFAULT_SEEDS = 2
GHOSTS_PER_PARAMETER = 4  # a parameter that does not matter beats all 4k ghosts about once in 4k + 1
