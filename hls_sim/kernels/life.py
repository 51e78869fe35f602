"""Life systems: needs move by spill-over, shocks and recovery; crises happen above thresholds.

Each person's needs evolve the same way with or without services (services act in kernels/work.py):
- problems spill into coupled domains once they are serious enough to drive them (above
  `spill_floor`; 001 L132: debt -> stress -> mental health -> tenancy), so moderate, coupled problems
  left alone tend to grow (002 L4382: people below service thresholds "tended to deteriorate");
- recovery comes from the person's strengths and self-efficacy (001 L337-341);
- strengths return towards the person's own level and are worn down by need;
- shocks hit one domain at a time; a crisis brings emergency help that relieves the acute domain
  (`crisis_relief`) while spreading need into coupled domains (`crisis_spill`), and costs trust;
- short of a crisis, problems above `reactive_floor` draw on reactive services (call-outs, A&E,
  benefits and housing emergencies, anti-social behaviour work: 002 L4395), in proportion to how far
  above the floor each domain is. These contacts are counted, not drawn: they are what the public
  purse pays for unmet need short of a crisis (`reactive_contact_cost`), and nothing in a life
  depends on them, so the count follows need exactly and help that changes no need saves nothing.

The same week is also lived by each person's no-service twin (`Twin`): the same life, the same
random numbers, no services ever. The twin is what a run's impact is measured against.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hls_sim.layout import (
    C_CRISES,
    C_REACTIVE,
    C_TWIN_CRISES,
    C_TWIN_REACTIVE,
    P_CRISIS_PROB,
    P_CRISIS_RELIEF,
    P_CRISIS_SPILL,
    P_CRISIS_THR,
    P_CRISIS_TRUST_LOSS,
    P_EFFICACY_RECOVERY,
    P_EFFICACY_RETURN,
    P_PRIORITY_SHIFT,
    P_REACTIVE_FLOOR,
    P_REACTIVE_RATE,
    P_RECOVERY,
    P_SERIOUS_NEED,
    P_SHOCK_RATE,
    P_SHOCK_SIZE,
    P_SPILL,
    P_SPILL_FLOOR,
    P_STRENGTH_EROSION,
    P_STRENGTH_RETURN,
    P_TRUST_RETURN,
)
from hls_sim.threads import helper

# impact accumulators (imp[row, column]); rows 0-9 = complexity deciles, row 10 = people who have presented
I_WB_DIFF, I_SERIOUS_AVOIDED, I_CRISES, I_CRISES_TWIN, I_PERSON_WEEKS, I_REACTIVE, I_REACTIVE_TWIN = range(7)
N_IMP = 7
PRESENTED_ROW = 10

# From this many people a week's lives are split in two halves, one on a helper thread: the rows
# are independent and the kernel releases the GIL, so the second core takes half the work. Below
# it, handing work to a thread costs about what it saves (`python -m benchmarks --only split`).
SPLIT_MIN_ROWS = 10_000


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _live(need, strength, strength0, efficacy, efficacy0, coupling, i, u, prm, old, inflow, summed):
    """One week of one life's needs, strengths and self-efficacy; returns the domain of a crisis, or -1.
    With `summed`, `old` and `inflow` already hold the week's needs and spill-over sums (`_spill_pair`)."""
    d = need.shape[1]
    spill = prm[P_SPILL]
    floor = prm[P_SPILL_FLOOR]
    rec = prm[P_RECOVERY] * (1.0 - prm[P_EFFICACY_RECOVERY] + prm[P_EFFICACY_RECOVERY] * 2.0 * efficacy[i])
    ret = prm[P_STRENGTH_RETURN]
    ero = prm[P_STRENGTH_EROSION]
    if not summed:
        for k in range(d):
            old[k] = need[i, k]
            inflow[k] = 0.0
        # the spill-over sums run over the source domain j in the outer loop so that the inner loop walks
        # a contiguous row of the coupling matrix; each domain's sum adds its terms in the order j = 0..d-1
        for j in range(d):
            o = max(old[j] - floor, 0.0)  # below the floor a source adds exactly +0.0
            for k in range(d):
                inflow[k] += coupling[i, j, k] * o
    for k in range(d):
        x = old[k] + spill * inflow[k] * (1.0 - old[k]) - rec * strength[i, k] * old[k]
        s = strength[i, k]
        strength[i, k] = s + ret * (strength0[i, k] - s) - ret * ero * old[k] * s
        need[i, k] = min(1.0, max(0.0, x))
    if u[0] < prm[P_SHOCK_RATE]:
        k = min(d - 1, int(u[1] * d))
        mag = -prm[P_SHOCK_SIZE] * np.log(1.0 - u[2])
        need[i, k] = min(1.0, need[i, k] + mag * (1.0 - need[i, k]))
    efficacy[i] += prm[P_EFFICACY_RETURN] * (efficacy0[i] - efficacy[i])
    top = 0
    for k in range(1, d):
        if need[i, k] > need[i, top]:
            top = k
    if need[i, top] > prm[P_CRISIS_THR] and u[4] < prm[P_CRISIS_PROB]:
        # emergency help relieves the acute problem; the upheaval spreads into coupled domains
        cs = prm[P_CRISIS_SPILL]
        for k in range(d):
            if k != top:
                need[i, k] = min(1.0, need[i, k] + cs * coupling[i, top, k] * (1.0 - need[i, k]))
        need[i, top] -= prm[P_CRISIS_RELIEF] * need[i, top]
        return top
    return -1


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _spill_pair(need, tneed, coupling, i, floor, old, inflow, told, tinflow):
    """The spill-over sums of a life and its twin in one pass over the person's coupling matrix
    (each sum adds its terms in the order j = 0..d-1, as `_live` does alone)."""
    d = need.shape[1]
    for k in range(d):
        old[k] = need[i, k]
        inflow[k] = 0.0
        told[k] = tneed[i, k]
        tinflow[k] = 0.0
    # without branches on the need levels (a source below the floor adds exactly +0.0), so the
    # inner loop vectorises and no misprediction depends on the data
    for j in range(d):
        a = max(old[j] - floor, 0.0)
        b = max(told[j] - floor, 0.0)
        for k in range(d):
            c = np.float64(coupling[i, j, k])
            inflow[k] += c * a
            tinflow[k] += c * b


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _reactive(need, i, floor, per_unit):
    """Expected contacts with reactive services this week: `reactive_rate` for each domain at need 1,
    falling linearly to none at `reactive_floor` (per_unit = rate / (1 - floor))."""
    s = 0.0
    for k in range(need.shape[1]):
        s += max(need[i, k] - floor, 0.0)
    return s * per_unit


@njit(cache=True, nogil=True, error_model="numpy")
def reactive_per_unit(floor, rate):
    """Contacts a week per unit of need above the floor (none when the floor is 1: no need exceeds it)."""
    return rate / (1.0 - floor) if floor < 1.0 else 0.0


def reactive_contacts(need: np.ndarray, floor: float, rate: float) -> np.ndarray:
    """`_reactive` for every row of `need` at once (the cohort measurements read it)."""
    return np.maximum(need - floor, 0.0).sum(axis=1) * reactive_per_unit(floor, rate)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _read_week(need, i, floor, per_unit, level):
    """`_reactive`, wellbeing and serious need (1.0 or 0.0) of row i in one pass over its domains:
    each sum adds its terms in the order k = 0..d-1, as the separate readings would."""
    d = need.shape[1]
    above = 0.0
    total = 0.0
    serious = 0.0
    for k in range(d):
        x = need[i, k]
        above += max(x - floor, 0.0)
        total += x
        if x > level:
            serious = 1.0
    return above * per_unit, 1.0 - total / d, serious


def life_scratch(n: int) -> np.ndarray:
    """Each person's share of the week's sums, (n, 4): reactive contacts of the life and of the twin,
    wellbeing of the life minus the twin's, serious need avoided (1, 0 or -1). `life_rows` writes it
    when the rows are split between threads; `life_tally` adds it up."""
    return np.zeros((n, 4))


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _record_one(life, twin, decile, presented, imp, i, r, t_r, wb_diff, avoided):
    """Person i's difference from the twin this week, by complexity decile and, once the person has
    presented, in row 10."""
    for row in (np.int64(decile[i]), np.int64(PRESENTED_ROW if presented[i] else -1)):
        if row < 0:
            continue
        imp[row, I_WB_DIFF] += wb_diff
        imp[row, I_SERIOUS_AVOIDED] += avoided
        imp[row, I_CRISES] += life.crisis_now[i]
        imp[row, I_CRISES_TWIN] += twin.crisis_now[i]
        imp[row, I_PERSON_WEEKS] += 1.0
        imp[row, I_REACTIVE] += r
        imp[row, I_REACTIVE_TWIN] += t_r


@njit(cache=True, nogil=True, error_model="numpy")
def life_rows(life, twin, u, prm, with_twin, record, lo, hi, out, cnt, decile, presented, imp, add_up):
    """One week of the lives in rows lo..hi-1, and of their no-service twins when `with_twin`.

    u[i] holds five uniforms per person: shock, shock domain, shock size, priority shift, crisis;
    the twin reads the same row. Nothing here reads or writes another person's row. With `add_up`
    the week's sums go straight into `cnt` and `imp` (one thread, every row); without it each
    person's share is left in its row of `out`, so that any split of the rows between threads gives
    the same lives, and `life_tally` the same sums in the same order.
    """
    need = life.need
    d = need.shape[1]
    old = np.empty(d)
    inflow = np.empty(d)
    told = np.empty(d)
    tinflow = np.empty(d)
    floor = prm[P_SPILL_FLOOR]
    level = prm[P_SERIOUS_NEED]
    rate = prm[P_PRIORITY_SHIFT]
    rfloor = prm[P_REACTIVE_FLOOR]
    per_unit = reactive_per_unit(rfloor, prm[P_REACTIVE_RATE])
    crises = 0.0
    twin_crises = 0.0
    reactive = 0.0
    twin_reactive = 0.0
    for j in range(lo, hi):
        i = np.uint64(j)  # an unsigned index spares every array access a negative-index check (15% here)
        if with_twin:
            _spill_pair(need, twin.need, life.coupling, i, floor, old, inflow, told, tinflow)
        top = _live(
            need,
            life.strength,
            life.strength0,
            life.efficacy,
            life.efficacy0,
            life.coupling,
            i,
            u[i],
            prm,
            old,
            inflow,
            with_twin,
        )
        if rate > 0.0 and u[i, 3] < rate:
            v = u[i, 3] / rate
            if v < 0.6:
                best = 0
                for k in range(1, d):
                    if need[i, k] > need[i, best]:
                        best = k
                life.priority[i] = best
            else:
                life.priority[i] = min(d - 1, int((v - 0.6) / 0.4 * d))
        wb = 0.0
        serious = 0.0
        if with_twin:  # the readings the impact tallies compare with the twin's, in one pass
            r, wb, serious = _read_week(need, i, rfloor, per_unit, level)
        else:
            r = _reactive(need, i, rfloor, per_unit)
        life.crisis_now[i] = 0
        if top >= 0:
            life.crisis_now[i] = 1
            life.trust[i] = max(0.0, life.trust[i] - prm[P_CRISIS_TRUST_LOSS])
            life.gave_up[i] = 0  # a crisis brings people back to services
        life.trust[i] += prm[P_TRUST_RETURN] * (0.5 - life.trust[i])
        if life.unresolved[i] > 0:
            life.unresolved[i] -= 1
        t_r = 0.0
        wb_diff = 0.0
        avoided = 0.0
        if with_twin:
            t_top = _live(
                twin.need,
                twin.strength,
                life.strength0,
                twin.efficacy,
                life.efficacy0,
                life.coupling,
                i,
                u[i],
                prm,
                told,
                tinflow,
                True,
            )
            twin.crisis_now[i] = 1 if t_top >= 0 else 0
            t_r, t_wb, t_serious = _read_week(twin.need, i, rfloor, per_unit, level)
            if record:
                wb_diff = wb - t_wb
                avoided = t_serious - serious
        if add_up:
            reactive += r
            if top >= 0:
                crises += 1.0
            if with_twin:
                twin_crises += twin.crisis_now[i]
                twin_reactive += t_r
                if record:
                    _record_one(life, twin, decile, presented, imp, i, r, t_r, wb_diff, avoided)
        else:
            out[i, 0] = r
            out[i, 1] = t_r
            out[i, 2] = wb_diff
            out[i, 3] = avoided
    if add_up:
        cnt[C_CRISES] += crises
        cnt[C_TWIN_CRISES] += twin_crises
        cnt[C_REACTIVE] += reactive
        cnt[C_TWIN_REACTIVE] += twin_reactive


@njit(cache=True, nogil=True, error_model="numpy")
def life_tally(life, twin, cnt, decile, presented, imp, with_twin, record, out):
    """Add up what `life_rows` left in `out`, in person order: the sums `add_up` makes."""
    crises = 0.0
    twin_crises = 0.0
    reactive = 0.0
    twin_reactive = 0.0
    for i in range(life.need.shape[0]):
        r = out[i, 0]
        reactive += r
        if life.crisis_now[i]:
            crises += 1.0
        if with_twin:
            twin_crises += twin.crisis_now[i]
            t_r = out[i, 1]
            twin_reactive += t_r
            if record:
                _record_one(life, twin, decile, presented, imp, i, r, t_r, out[i, 2], out[i, 3])
    cnt[C_CRISES] += crises
    cnt[C_TWIN_CRISES] += twin_crises
    cnt[C_REACTIVE] += reactive
    cnt[C_TWIN_REACTIVE] += twin_reactive


def life_step(life, twin, u, prm, cnt, decile, presented, imp, with_twin, record, out, tally=True):
    """One week of every life (and twin). From `SPLIT_MIN_ROWS` people the rows are split between
    this thread and a helper (the kernel is GIL-free) and added up afterwards in person order;
    below it, one pass does both. The results are bit-identical either way. `tally=False` skips the
    sums where nobody reads them (the warm-up)."""
    n = life.need.shape[0]
    args = (life, twin, u, prm, with_twin, record)
    sums = (out, cnt, decile, presented, imp)
    if n < SPLIT_MIN_ROWS:
        life_rows(*args, 0, n, *sums, True)
        return
    half = n // 2
    job = helper("lives").submit(life_rows, *args, half, n, *sums, False)
    life_rows(*args, 0, half, *sums, False)
    job.result()
    if tally:
        life_tally(life, twin, cnt, decile, presented, imp, with_twin, record, out)


@njit(cache=True, nogil=True, error_model="numpy")
def wellbeing_stats(need, mask):
    """Mean wellbeing (1 - mean need) over everyone and over the people flagged in mask."""
    n, d = need.shape
    tot = 0.0
    sub = 0.0
    nsub = 0
    for i in range(n):
        s = 0.0
        for k in range(d):
            s += need[i, k]
        w = 1.0 - s / d
        tot += w
        if mask[i]:
            sub += w
            nsub += 1
    return tot / max(n, 1), sub / max(nsub, 1)
