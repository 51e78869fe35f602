"""Names and positions shared by the numba kernels and Python: dtypes, counters, packed scalars.

Kernels take plain arrays. Scalars travel in one float64 vector `prm` and weekly tallies in one
float64 vector `cnt` (and `pcnt` per provider); the integer constants below name their slots.
numba freezes module-level integers as compile-time constants, so the names cost nothing.
"""

from __future__ import annotations

import numpy as np

FLOAT = np.float64
COUPLING = np.float32  # static per-person coupling weights: float32 halves the largest array
INT = np.int32
SMALL = np.int16
TINY = np.int8

N_BANDS = 5  # observed difficulty bands at assessment (0 = simplest)

# citizen status
COMMUNITY, WAITING, IN_SERVICE = 0, 1, 2
# worker status
VACANT, ACTIVE, HIRING = 0, 1, 2

# ---- packed scalar parameters (prm) ----
_PRM_NAMES = [
    "spill_rate",
    "recovery_rate",
    "shock_rate",
    "shock_size",
    "crisis_threshold",
    "crisis_prob",
    "help_seeking",
    "priority_shift_rate",
    "caseload_cap",
    "hours_per_week",
    "effort_aversion",
    "crowding_out",
    "gaming_efficiency",
    "base_turnover",
    "vacancy_weeks",
    "eligibility_threshold",
    "admin_hours_per_case",
    "assessment_hours",
    "worker_discretion",
    "discretionary_spend",
    "max_episode_weeks",
    "outcome_threshold",
    "wait_target_weeks",
    "learning_share",
    "intrinsic_motivation",
    "relational_skill",
    "incentive_strength",
    "alliance",
    "wait_target_active",
    "outcome_target_active",
    "change_strain",
    "relational_effect",
    "protocol_effect",
    "help_scale_hours",
]
PRM = {name: i for i, name in enumerate(_PRM_NAMES)}
N_PRM = len(_PRM_NAMES)
(
    P_SPILL,
    P_RECOVERY,
    P_SHOCK_RATE,
    P_SHOCK_SIZE,
    P_CRISIS_THR,
    P_CRISIS_PROB,
    P_HELP_SEEKING,
    P_PRIORITY_SHIFT,
    P_CASELOAD_CAP,
    P_HOURS,
    P_EFFORT_AVERSION,
    P_CROWDING,
    P_GAMING_EFF,
    P_BASE_TURNOVER,
    P_VACANCY_WEEKS,
    P_ELIGIBILITY,
    P_ADMIN_HOURS,
    P_ASSESS_HOURS,
    P_DISCRETION,
    P_DISC_SPEND,
    P_MAX_EPISODE,
    P_OUTCOME_THR,
    P_WAIT_TARGET,
    P_LEARNING_SHARE,
    P_MOTIVATION0,
    P_RSKILL0,
    P_INCENTIVE,
    P_ALLIANCE,
    P_WAIT_ACTIVE,
    P_OUTCOME_ACTIVE,
    P_CHANGE_STRAIN,
    P_RELATIONAL_EFFECT,
    P_PROTOCOL_EFFECT,
    P_HELP_SCALE,
) = range(N_PRM)

# ---- system-wide weekly counters (cnt) ----
_CNT_NAMES = [
    "crises",
    "presentations",
    "repeat_presentations",
    "rejected_threshold",
    "rejected_cream",
    "referrals",
    "referral_failures",
    "handoffs",
    "starts",
    "starts_in_target_true",
    "starts_in_target_reported",
    "clock_stops",
    "discharges",
    "closes_true_success",
    "closes_reported_success",
    "misreports",
    "exclusions",
    "closes_counted",
    "timing_discharges",
    "unresolved_discharges",
    "dropouts",
    "quits",
    "hires",
    "broken_relationships",
    "h_relational",
    "h_protocol",
    "h_gaming",
    "h_admin",
    "h_assessment",
    "h_learning",
    "h_slack",
    "h_overtime",
    "h_substituted",
    "h_threshold_withheld",
    "h_ratchet_withheld",
    "h_parked",
    "h_case_total",
    "disc_spend",
    "followups",
    "real_improved",
    "real_worsened",
    "sustained_checks",
    "sustained_ok",
    "eligible_presentations",
    "waiting_dropouts",
    "holistic_discharges",
    "episode_limit_discharges",
    "attrib_help",
    "attrib_other",
]
CNT = {name: i for i, name in enumerate(_CNT_NAMES)}
N_CNT = len(_CNT_NAMES)
(
    C_CRISES,
    C_PRESENTATIONS,
    C_REPEAT,
    C_REJ_THRESHOLD,
    C_REJ_CREAM,
    C_REFERRALS,
    C_REFERRAL_FAIL,
    C_HANDOFFS,
    C_STARTS,
    C_STARTS_TARGET_TRUE,
    C_STARTS_TARGET_REP,
    C_CLOCK_STOPS,
    C_DISCHARGES,
    C_TRUE_SUCCESS,
    C_REP_SUCCESS,
    C_MISREPORTS,
    C_EXCLUSIONS,
    C_COUNTED,
    C_TIMING,
    C_UNRESOLVED,
    C_DROPOUTS,
    C_QUITS,
    C_HIRES,
    C_BROKEN,
    C_H_REL,
    C_H_PROT,
    C_H_GAME,
    C_H_ADMIN,
    C_H_ASSESS,
    C_H_LEARN,
    C_H_SLACK,
    C_H_OVERTIME,
    C_H_SUBSTITUTED,
    C_H_THRESHOLD,
    C_H_RATCHET,
    C_H_PARKED,
    C_H_CASE,
    C_DISC_SPEND,
    C_FOLLOWUPS,
    C_REAL_IMPROVED,
    C_REAL_WORSENED,
    C_SUST_CHECKS,
    C_SUST_OK,
    C_ELIGIBLE,
    C_WAIT_DROPOUTS,
    C_HOLISTIC,
    C_EPISODE_LIMIT,
    C_ATTRIB_HELP,
    C_ATTRIB_OTHER,
) = range(N_CNT)

# ---- per-provider weekly counters (pcnt[p, k]) ----
_PCNT_NAMES = [
    "closes",
    "true_success",
    "reported_success",
    "counted",
    "starts",
    "starts_target_true",
    "starts_target_reported",
    "intakes",
    "hours_case",
    "misreports",
    "real_sum",
    "real_sq",
    "rep_real_sum",
    "n_learn",
    "presentations",
]
PCNT = {name: i for i, name in enumerate(_PCNT_NAMES)}
N_PCNT = len(_PCNT_NAMES)
(
    PC_CLOSES,
    PC_TRUE_SUCC,
    PC_REP_SUCC,
    PC_COUNTED,
    PC_STARTS,
    PC_STARTS_T_TRUE,
    PC_STARTS_T_REP,
    PC_INTAKES,
    PC_HOURS_CASE,
    PC_MISREPORTS,
    PC_REAL_SUM,
    PC_REAL_SQ,
    PC_REP_REAL_SUM,
    PC_N_LEARN,
    PC_PRESENTATIONS,
) = range(N_PCNT)

# ---- per-provider per-band counters (bcnt[p, band, k]) ----
B_CLOSES, B_REP_SUCC, B_TRUE_SUCC, B_HOURS = range(4)
N_BCNT = 4

# ---- provider policy columns (pol[p, k]) ----
_POL_NAMES = ["selectivity", "parking", "pressure", "honesty", "timing", "clock_priority", "refer"]
POL = {name: i for i, name in enumerate(_POL_NAMES)}
N_POL = len(_POL_NAMES)
POL_SELECT, POL_PARK, POL_PRESSURE, POL_HONESTY, POL_TIMING, POL_CLOCK, POL_REFER = range(N_POL)
