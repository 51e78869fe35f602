"""Citizens as unique life systems and the initial workforce.

Each person gets need and strength levels per domain and a personal coupling matrix drawn from
a population template with individual variation (002 L570, L630, L1047): about 80% of people
have strongly coupled ("complex") lives and about 20% are "fixable" (002 L545-555).
"""

from __future__ import annotations

import numpy as np

from hls_sim.layout import COUPLING, FLOAT, INT, SMALL, TINY
from hls_sim.params import DOMAINS, N_DOMAINS

_D = {name: i for i, name in enumerate(DOMAINS)}

# (from, to, weight): how a problem in one domain drives another. The links follow the causal
# chains the seeds describe (debt -> stress -> mental health -> tenancy, 001 L132, 002 L287-307;
# substance use, safety and housing, 002 L4176-4182); the weights are assumptions.
TEMPLATE_LINKS: tuple[tuple[str, str, float], ...] = (
    ("income_debt", "mental_health", 1.0),
    ("income_debt", "housing", 0.8),
    ("income_debt", "relationships", 0.3),
    ("mental_health", "substance_use", 0.7),
    ("mental_health", "work_learning", 0.6),
    ("mental_health", "relationships", 0.5),
    ("substance_use", "mental_health", 0.6),
    ("substance_use", "safety", 0.6),
    ("substance_use", "housing", 0.5),
    ("substance_use", "relationships", 0.4),
    ("work_learning", "income_debt", 0.8),
    ("housing", "physical_health", 0.5),
    ("housing", "mental_health", 0.6),
    ("physical_health", "work_learning", 0.5),
    ("physical_health", "mental_health", 0.4),
    ("relationships", "mental_health", 0.6),
    ("safety", "housing", 0.5),
    ("safety", "mental_health", 0.5),
)
BACKGROUND_LINK = 0.05


def coupling_template() -> np.ndarray:
    """T[j, d]: influence of need in domain j on domain d; each domain's inflow sums to 1.

    The links say which domains drive which; normalising each domain's inflow (rather than the
    average) keeps any one domain from becoming the sink of all the others. With the average
    normalised, mental health took 2.5 times the mean inflow and its service resolved almost no
    case (docs/ODD.md 9)."""
    t = np.full((N_DOMAINS, N_DOMAINS), BACKGROUND_LINK)
    for a, b, w in TEMPLATE_LINKS:
        t[_D[a], _D[b]] += w
    np.fill_diagonal(t, 0.0)
    return t / t.sum(axis=0, keepdims=True)


def make_citizens(n: int, p: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    d = N_DOMAINS
    complex_ = rng.random(n) < p["complex_share"]
    base = np.where(complex_, p["coupling_complex"], p["coupling_simple"])
    scale = base * rng.lognormal(0.0, 0.3, n)
    sig = p["coupling_variation"]
    noise = rng.lognormal(-0.5 * sig * sig, sig, (n, d, d)) if sig > 0 else np.ones((n, d, d))
    coupling = (scale[:, None, None] * coupling_template()[None, :, :] * noise).astype(COUPLING)
    # need: a modest baseline everywhere, plus two to four heavier domains for complex lives
    need = rng.beta(2.0, 6.0, (n, d))
    mix = np.array([p.get(f"domain_mix_{name}", 1.0) for name in DOMAINS])
    mix = mix / mix.mean() if mix.sum() > 0 else np.ones(d)
    heavy = rng.random((n, d)) < np.where(complex_, 0.35, 0.1)[:, None] * mix[None, :]
    need = np.where(heavy, 0.35 + 0.5 * rng.random((n, d)), need)
    strength = rng.beta(3.0, 3.0, (n, d)) * np.where(complex_, 0.85, 1.0)[:, None]
    complexity = coupling.astype(FLOAT).sum(axis=(1, 2)) / d
    efficacy = rng.beta(4.0, 4.0, n).astype(FLOAT)
    return dict(
        need=np.ascontiguousarray(need, dtype=FLOAT),
        strength=np.ascontiguousarray(strength, dtype=FLOAT),
        strength0=np.ascontiguousarray(strength, dtype=FLOAT).copy(),
        coupling=np.ascontiguousarray(coupling),
        complexity=complexity.astype(FLOAT),
        priority=np.argmax(need, axis=1).astype(TINY),
        trust=rng.beta(4.0, 4.0, n).astype(FLOAT),
        efficacy=efficacy,
        efficacy0=efficacy.copy(),
        status=np.zeros(n, TINY),
        provider=np.full(n, -1, SMALL),
        worker=np.full(n, -1, INT),
        wait=np.zeros(n, SMALL),
        clock_stopped=np.zeros(n, TINY),
        episode=np.zeros(n, SMALL),
        band=np.zeros(n, TINY),
        intake_wellbeing=np.zeros(n, FLOAT),
        bond=np.zeros(n, FLOAT),
        game_hours=np.zeros(n, FLOAT),
        followup=np.full(n, -1, SMALL),
        followup_domain=np.zeros(n, TINY),
        followup_wellbeing=np.zeros(n, FLOAT),
        unresolved=np.zeros(n, SMALL),
        handoffs=np.zeros(n, SMALL),
        help_dc=np.zeros(n, FLOAT),
        intake_need_dc=np.zeros(n, FLOAT),
        h_rel=np.zeros(n, FLOAT),
        h_prot=np.zeros(n, FLOAT),
        crisis_now=np.zeros(n, TINY),
        gave_up=np.zeros(n, TINY),
        presented=np.zeros(n, TINY),
        contacts=np.zeros(n, FLOAT),
        dependence=np.zeros(n, FLOAT),
    )


def draw_worker(rng_vals: np.ndarray, p: dict) -> tuple[float, float, float]:
    """Attributes of a worker from three uniforms: motivation, relational skill, protocol skill. The first
    staff and every later hire are drawn alike (kernels/workforce.py draws hires the same way)."""
    m = min(1.0, max(0.05, p["intrinsic_motivation"] + p["hire_motivation_spread"] * (rng_vals[0] - 0.5)))
    r = min(1.0, max(0.05, p["relational_skill"] + p["hire_rskill_spread"] * (rng_vals[1] - 0.5)))
    s = min(1.0, max(0.05, p["protocol_skill"] + p["hire_skill_spread"] * (rng_vals[2] - 0.5)))
    return m, r, s


def make_workers(n_per_provider: np.ndarray, capacity: int, p: dict, rng: np.random.Generator) -> dict:
    w = dict(
        status=np.zeros(capacity, TINY),
        provider=np.full(capacity, -1, SMALL),
        vacancy_left=np.zeros(capacity, SMALL),
        motivation=np.zeros(capacity, FLOAT),
        motivation0=np.zeros(capacity, FLOAT),
        rskill=np.zeros(capacity, FLOAT),
        skill=np.zeros(capacity, FLOAT),
        morale=np.zeros(capacity, FLOAT),
        burnout=np.zeros(capacity, FLOAT),
        tenure=np.zeros(capacity, INT),
        caseload=np.zeros(capacity, INT),
        pressure=np.zeros(capacity, FLOAT),
        intake_hours=np.zeros(capacity, FLOAT),
        # this week's hours by use, and the caseload sums the time choice reads
        h_rel=np.zeros(capacity, FLOAT),
        h_prot=np.zeros(capacity, FLOAT),
        h_game=np.zeros(capacity, FLOAT),
        h_admin=np.zeros(capacity, FLOAT),
        cx_sum=np.zeros(capacity, FLOAT),
        misfit_sum=np.zeros(capacity, FLOAT),
    )
    k = 0
    u = rng.random((capacity, 4))
    for prov, count in enumerate(n_per_provider):
        for _ in range(int(count)):
            m, r, s = draw_worker(u[k], p)
            w["status"][k] = 1
            w["provider"][k] = prov
            w["motivation"][k] = w["motivation0"][k] = m
            w["rskill"][k] = r
            w["skill"][k] = s
            w["morale"][k] = 0.6
            w["burnout"][k] = 0.1
            w["tenure"][k] = int(u[k, 3] * 260)
            k += 1
    return w
