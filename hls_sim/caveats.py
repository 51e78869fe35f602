"""What every report must say about how far its numbers can be trusted.

Three things a reader (a council director, a student) could otherwise get wrong:

- the "±" beside a number is the spread over seeds (which people, events and choices the random
  draws produced), not the uncertainty in the model's assumptions or its structure;
- the model's validation status: whether it reproduces the patterns in the evidence
  (`hls-sim validate`, docs/validation.md), read from the newest `validation.json` the report can
  find and never recomputed here (a validation takes minutes; a report must not run the model);
- the result is not a forecast for any place.

Where the validation status comes from, in order: the file or folder named by the environment
variable `HLS_SIM_VALIDATION`; a `validation.json` in the report's own folder (a validate
folder); one in a folder beside it (outputs go under `results/` by default, so `hls-sim
validate` puts its folder next to the compare's); one under `results/` of the working
directory. Among those, the newest written by this version of hls-sim is shown (a full run
before a quick one); if none was, the newest of any version, with its version named; if there is
none, the report says so and how to make one.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

from hls_sim.version import __version__

ENV = "HLS_SIM_VALIDATION"
FILE = "validation.json"

SEED_NOISE = (
    "Every ± in this report is seed noise only: the half-width of a 95% interval over the seeds, that is, over "
    "which people, events and choices the random draws produced. It says nothing about whether the model's "
    "assumptions or structure are right"
)
NOT_A_FORECAST = "This is not a forecast for any place."
NOT_A_FORECAST_WHY = (
    "It is what this model does with these parameters, many of them assumptions (`hls-sim params` lists each "
    "one's source); use it to compare and to question, not to predict."
)


@dataclass(frozen=True)
class ValidationStatus:
    path: Path | None
    passed: int = 0
    total: int = 0
    shipped: int = 0  # patterns shipped with the package, for "only some were run"
    mode: str = ""
    version: str = ""
    written: str = ""

    def sentence(self) -> str:
        """The status in one line of plain text."""
        if self.path is None:
            return (
                "Validation status: no validation result was found beside this output. Run `hls-sim validate` "
                "(one to two minutes on two cores) to check the model against the patterns in the evidence; docs/validation.md "
                "explains them."
            )
        parts = [f"Validation status: {self.passed} of {self.total} patterns pass"]
        if self.shipped and self.total < self.shipped:
            parts.append(f" (only {self.total} of the {self.shipped} shipped patterns were run)")
        mode = "quick smoke test, not a verdict" if self.mode == "quick" else f"{self.mode or 'unknown'} run"
        parts.append(f", {mode}, hls-sim {self.version or 'unknown'}, written {self.written}, in {self.path}")
        if self.version and self.version != __version__:
            parts.append(f"; this report is from hls-sim {__version__}, so run `hls-sim validate` again")
        parts.append(". docs/validation.md explains each pattern.")
        return "".join(parts)


def _candidates(folder: Path | None) -> list[Path]:
    found: list[Path] = []
    env = os.environ.get(ENV)
    if env:
        p = Path(env)
        found.append(p / FILE if p.is_dir() else p)
    if folder is not None:
        found.append(folder / FILE)
        parent = folder.resolve().parent
        found.extend(sorted(parent.glob(f"*/{FILE}")))
    found.extend(sorted(Path("results").glob(f"*/{FILE}")))
    seen: set[Path] = set()
    out = []
    for p in found:
        key = p.resolve() if p.exists() else p
        if key not in seen and p.is_file():
            seen.add(key)
            out.append(p)
    return out


def _shipped_patterns() -> int:
    try:
        from hls_sim.validation.spec import pattern_files

        return len(pattern_files())
    except Exception:  # an installed copy without the experiments: the count is only a courtesy
        return 0


def validation_status(folder: str | Path | None = None) -> ValidationStatus:
    """The newest validation result to be found for a report written from `folder`."""
    best: tuple[tuple[bool, bool, float], ValidationStatus] | None = None
    for path in _candidates(Path(folder) if folder is not None else None):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            mtime = path.stat().st_mtime
            total = int(doc.get("patterns_total", len(doc.get("patterns", []))))
            passed = int(doc.get("passed", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            continue  # not a validation result this report can read; another may be
        version = str(doc.get("hls_sim_version", ""))
        status = ValidationStatus(
            path=path,
            passed=passed,
            total=total,
            mode=str(doc.get("mode", "")),
            version=version,
            written=_dt.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M"),
        )
        rank = (version == __version__, status.mode == "full", mtime)
        if best is None or rank > best[0]:
            best = (rank, status)
    if best is None:
        return ValidationStatus(path=None)
    s = best[1]
    return ValidationStatus(s.path, s.passed, s.total, _shipped_patterns(), s.mode, s.version, s.written)


def html_block(
    folder: str | Path | None = None, *, assumptions_below: bool = False, status: ValidationStatus | None = None
) -> str:
    """The paragraph every report carries near its top."""
    status = status or validation_status(folder)
    where = (
        "the section 'Assumptions that drive this result' below"
        if assumptions_below
        else "the validation status below and, for what is assumed, `hls-sim params`"
    )
    return (
        "<div class='caveats'><p><b>How far to trust these numbers.</b> "
        f"{html.escape(SEED_NOISE)} (for that, see {html.escape(where)}).</p>"
        f"<p>{html.escape(status.sentence())}</p>"
        f"<p><b>{html.escape(NOT_A_FORECAST)}</b> {html.escape(NOT_A_FORECAST_WHY)}</p></div>"
    )
