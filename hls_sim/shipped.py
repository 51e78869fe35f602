"""Where the shipped scenario and experiment files live, in a source checkout and in an installed wheel.

The files belong at the top of the repository (`scenarios/`, `experiments/`), where users read
and copy them. A wheel has no repository around it, so the build also carries them inside the
package as `hls_sim/_shipped/...` (pyproject.toml maps the folders). A checkout's own folders win,
so edits to them take effect without reinstalling.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def shipped_dir(*parts: str) -> Path:
    """The folder `parts` (e.g. "experiments", "validation"): the checkout's, else the installed copy."""
    local = _REPO.joinpath(*parts)
    if local.is_dir():
        return local
    return _PACKAGE.joinpath("_shipped", *parts)
