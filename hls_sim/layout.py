"""Names and positions shared by the numba kernels and Python: dtypes, counters, packed scalars.

Kernels take plain arrays (bundled in `hls_sim.state`). Scalars travel in one float64 vector `prm`
and weekly tallies in one float64 vector `cnt` (and `pcnt` per provider). Each is laid out by one
tuple of names; the integer constants below are looked up from it by name, so no second list can
fall out of step. numba freezes module-level integers as compile-time constants: the names cost
nothing in the kernels.
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

# ---- packed scalars (prm) ----
# Registry parameters the kernels read, copied by name from the resolved parameters each time the
# levers change (model._fill_prm) ...
PRM_FROM_PARAMS = (
    # lives (kernels/life.py)
    "spill_rate",
    "recovery_rate",
    "shock_rate",
    "shock_size",
    "crisis_threshold",
    "crisis_prob",
    "priority_shift_rate",
    "spill_floor",
    "strength_return",
    "strength_erosion",
    "efficacy_recovery_weight",
    "efficacy_return",
    "trust_return",
    "crisis_trust_loss",
    "crisis_relief",
    "crisis_spill",
    "serious_need_level",
    # doors (kernels/doors.py)
    "help_seeking",
    "seek_floor",
    "seek_trust_floor",
    "crisis_seek_prob",
    "reject_trust_loss",
    "referral_fail_trust_loss",
    "referral_success_base",
    "band_trouble_level",
    "band_domains_full",
    "refusal_efficacy_loss",
    "referral_fail_efficacy_loss",
    "give_up_rate",
    "dependence_seeking",
    "outreach_level",
    "outreach_min_domains",
    # waiting lists (kernels/queue.py)
    "wait_target_weeks",
    "new_bond",
    "queue_wait_full",
    "wait_dropout_base",
    "wait_dropout_distrust",
    "wait_dropout_trust_loss",
    "wait_efficacy_loss",
    # the worker's week and help (kernels/work.py)
    "hours_per_week",
    "effort_aversion",
    "gaming_efficiency",
    "assessment_hours",
    "outcome_threshold",
    "relational_effect",
    "protocol_effect",
    "help_scale_hours",
    "relational_complexity_gain",
    "protocol_complexity_loss",
    "discretion_relational_gain",
    "knowledge_gain",
    "min_case_time_share",
    "case_weight_floor",
    "bubble_width",
    "engagement_efficacy_weight",
    "readiness_floor",
    "misfit_effect",
    "deficit_efficacy_loss",
    "strength_gain",
    "help_efficacy_gain",
    "help_trust_gain",
    "bond_gain",
    "bond_min_hours",
    "bond_fade",
    "bond_floor",
    "spend_effect",
    "spend_half",
    "root_drag_scale",
    "gaming_scale",
    "dependence_gain",
    "dependence_relief",
    "dependence_decay",
    # discharge and follow-up (kernels/discharge.py)
    "holistic_top",
    "unresolved_top",
    "unresolved_window",
    "followup_weeks",
    "real_change",
    "disengage_rate",
    "discharge_trust_change",
    "churn_min_weeks",
    # workforce (kernels/workforce.py)
    "crowding_out",
    "base_turnover",
    "vacancy_weeks",
    "intrinsic_motivation",
    "relational_skill",
    "morale_rate",
    "motivation_rate",
    "autonomy_support",
    "seen_gain_scale",
    "control_pressure_weight",
    "control_admin_weight",
    "control_discretion_weight",
    "morale_base",
    "morale_seen_gain",
    "morale_discretion_gain",
    "morale_admin_loss",
    "morale_pressure_loss",
    "morale_gap_loss",
    "morale_burnout_loss",
    "case_hours_needed",
    "burnout_overload_rate",
    "burnout_pressure_rate",
    "burnout_recovery",
    "quit_morale_factor",
    "quit_burnout_rate",
    "hire_motivation_spread",
    "hire_rskill_spread",
    "protocol_skill",
    "hire_skill_spread",
    "skill_practice_rate",
    "relational_practice_rate",
    "supervision_gain",
    # reactive services short of a crisis (kernels/life.py); last, so that adding them moved no other index
    "reactive_floor",
    "reactive_rate",
)
# ... and values the model derives each week from the levers and the organisations' state.
PRM_DERIVED = (
    "learning_share",  # share of the week for learning cycles (0 when there are none)
    "wait_target_active",  # 1 when a time-to-service target is in force
    "change_strain",  # morale lost to a transition under way (model._switch_regime)
)
PRM_NAMES = PRM_FROM_PARAMS + PRM_DERIVED
PRM = {name: i for i, name in enumerate(PRM_NAMES)}
N_PRM = len(PRM_NAMES)

P_SPILL = PRM["spill_rate"]
P_REACTIVE_FLOOR = PRM["reactive_floor"]
P_REACTIVE_RATE = PRM["reactive_rate"]
P_RECOVERY = PRM["recovery_rate"]
P_SHOCK_RATE = PRM["shock_rate"]
P_SHOCK_SIZE = PRM["shock_size"]
P_CRISIS_THR = PRM["crisis_threshold"]
P_CRISIS_PROB = PRM["crisis_prob"]
P_PRIORITY_SHIFT = PRM["priority_shift_rate"]
P_SPILL_FLOOR = PRM["spill_floor"]
P_STRENGTH_RETURN = PRM["strength_return"]
P_STRENGTH_EROSION = PRM["strength_erosion"]
P_EFFICACY_RECOVERY = PRM["efficacy_recovery_weight"]
P_EFFICACY_RETURN = PRM["efficacy_return"]
P_TRUST_RETURN = PRM["trust_return"]
P_CRISIS_TRUST_LOSS = PRM["crisis_trust_loss"]
P_CRISIS_RELIEF = PRM["crisis_relief"]
P_CRISIS_SPILL = PRM["crisis_spill"]
P_SERIOUS_NEED = PRM["serious_need_level"]
P_REFUSAL_EFFICACY = PRM["refusal_efficacy_loss"]
P_REFERRAL_FAIL_EFFICACY = PRM["referral_fail_efficacy_loss"]
P_GIVE_UP = PRM["give_up_rate"]
P_DEPENDENCE_SEEKING = PRM["dependence_seeking"]
P_OUTREACH_LEVEL = PRM["outreach_level"]
P_OUTREACH_DOMAINS = PRM["outreach_min_domains"]
P_WAIT_EFFICACY = PRM["wait_efficacy_loss"]
P_DEPENDENCE_GAIN = PRM["dependence_gain"]
P_DEPENDENCE_RELIEF = PRM["dependence_relief"]
P_DEPENDENCE_DECAY = PRM["dependence_decay"]
P_PROTOCOL_SKILL = PRM["protocol_skill"]
P_HIRE_SKILL = PRM["hire_skill_spread"]
P_SKILL_PRACTICE = PRM["skill_practice_rate"]
P_RSKILL_PRACTICE = PRM["relational_practice_rate"]
P_SUPERVISION = PRM["supervision_gain"]
P_HELP_SEEKING = PRM["help_seeking"]
P_SEEK_FLOOR = PRM["seek_floor"]
P_SEEK_TRUST_FLOOR = PRM["seek_trust_floor"]
P_CRISIS_SEEK = PRM["crisis_seek_prob"]
P_REJECT_TRUST_LOSS = PRM["reject_trust_loss"]
P_REFERRAL_FAIL_TRUST_LOSS = PRM["referral_fail_trust_loss"]
P_REFERRAL_BASE = PRM["referral_success_base"]
P_BAND_TROUBLE = PRM["band_trouble_level"]
P_BAND_DOMAINS = PRM["band_domains_full"]
P_WAIT_TARGET = PRM["wait_target_weeks"]
P_NEW_BOND = PRM["new_bond"]
P_QUEUE_WAIT_FULL = PRM["queue_wait_full"]
P_WAIT_DROP_BASE = PRM["wait_dropout_base"]
P_WAIT_DROP_DISTRUST = PRM["wait_dropout_distrust"]
P_WAIT_DROP_TRUST_LOSS = PRM["wait_dropout_trust_loss"]
P_HOURS = PRM["hours_per_week"]
P_EFFORT_AVERSION = PRM["effort_aversion"]
P_GAMING_EFF = PRM["gaming_efficiency"]
P_ASSESS_HOURS = PRM["assessment_hours"]
P_OUTCOME_THR = PRM["outcome_threshold"]
P_RELATIONAL_EFFECT = PRM["relational_effect"]
P_PROTOCOL_EFFECT = PRM["protocol_effect"]
P_HELP_SCALE = PRM["help_scale_hours"]
P_REL_CX_GAIN = PRM["relational_complexity_gain"]
P_PROT_CX_LOSS = PRM["protocol_complexity_loss"]
P_DISC_REL_GAIN = PRM["discretion_relational_gain"]
P_KNOWLEDGE_GAIN = PRM["knowledge_gain"]
P_MIN_CASE_TIME = PRM["min_case_time_share"]
P_CASE_WEIGHT_FLOOR = PRM["case_weight_floor"]
P_BUBBLE_WIDTH = PRM["bubble_width"]
P_ENGAGE_EFFICACY = PRM["engagement_efficacy_weight"]
P_READINESS_FLOOR = PRM["readiness_floor"]
P_MISFIT = PRM["misfit_effect"]
P_DEFICIT_EFFICACY = PRM["deficit_efficacy_loss"]
P_STRENGTH_GAIN = PRM["strength_gain"]
P_HELP_EFFICACY = PRM["help_efficacy_gain"]
P_HELP_TRUST = PRM["help_trust_gain"]
P_BOND_GAIN = PRM["bond_gain"]
P_BOND_MIN_HOURS = PRM["bond_min_hours"]
P_BOND_FADE = PRM["bond_fade"]
P_BOND_FLOOR = PRM["bond_floor"]
P_SPEND_EFFECT = PRM["spend_effect"]
P_SPEND_HALF = PRM["spend_half"]
P_ROOT_DRAG = PRM["root_drag_scale"]
P_GAMING_SCALE = PRM["gaming_scale"]
P_HOLISTIC_TOP = PRM["holistic_top"]
P_UNRESOLVED_TOP = PRM["unresolved_top"]
P_UNRESOLVED_WINDOW = PRM["unresolved_window"]
P_FOLLOWUP_WEEKS = PRM["followup_weeks"]
P_REAL_CHANGE = PRM["real_change"]
P_DISENGAGE = PRM["disengage_rate"]
P_DISCHARGE_TRUST = PRM["discharge_trust_change"]
P_CHURN_MIN = PRM["churn_min_weeks"]
P_CROWDING = PRM["crowding_out"]
P_BASE_TURNOVER = PRM["base_turnover"]
P_VACANCY_WEEKS = PRM["vacancy_weeks"]
P_MOTIVATION0 = PRM["intrinsic_motivation"]
P_RSKILL0 = PRM["relational_skill"]
P_MORALE_RATE = PRM["morale_rate"]
P_MOTIVATION_RATE = PRM["motivation_rate"]
P_AUTONOMY = PRM["autonomy_support"]
P_SEEN_SCALE = PRM["seen_gain_scale"]
P_CONTROL_PRESSURE = PRM["control_pressure_weight"]
P_CONTROL_ADMIN = PRM["control_admin_weight"]
P_CONTROL_DISCRETION = PRM["control_discretion_weight"]
P_MORALE_BASE = PRM["morale_base"]
P_MORALE_SEEN = PRM["morale_seen_gain"]
P_MORALE_DISC = PRM["morale_discretion_gain"]
P_MORALE_ADMIN = PRM["morale_admin_loss"]
P_MORALE_PRESSURE = PRM["morale_pressure_loss"]
P_MORALE_GAP = PRM["morale_gap_loss"]
P_MORALE_BURNOUT = PRM["morale_burnout_loss"]
P_CASE_HOURS = PRM["case_hours_needed"]
P_BURNOUT_OVERLOAD = PRM["burnout_overload_rate"]
P_BURNOUT_PRESSURE = PRM["burnout_pressure_rate"]
P_BURNOUT_RECOVERY = PRM["burnout_recovery"]
P_QUIT_MORALE = PRM["quit_morale_factor"]
P_QUIT_BURNOUT = PRM["quit_burnout_rate"]
P_HIRE_MOTIVATION = PRM["hire_motivation_spread"]
P_HIRE_RSKILL = PRM["hire_rskill_spread"]
P_LEARNING_SHARE = PRM["learning_share"]
P_WAIT_ACTIVE = PRM["wait_target_active"]
P_CHANGE_STRAIN = PRM["change_strain"]

# ---- system-wide weekly counters (cnt) ----
CNT_NAMES = (
    "crises",
    "twin_crises",
    "presentations",
    "outreach_contacts",
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
    "churn_discharges",
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
    "give_ups",
    "holistic_discharges",
    "episode_limit_discharges",
    "attrib_help",
    "attrib_other",
    "reactive_contacts",  # expected contacts with reactive services short of a crisis (kernels/life.py)
    "twin_reactive_contacts",
)
CNT = {name: i for i, name in enumerate(CNT_NAMES)}
N_CNT = len(CNT_NAMES)
C_CRISES = CNT["crises"]
C_TWIN_CRISES = CNT["twin_crises"]
C_REACTIVE = CNT["reactive_contacts"]
C_TWIN_REACTIVE = CNT["twin_reactive_contacts"]
C_PRESENTATIONS = CNT["presentations"]
C_OUTREACH = CNT["outreach_contacts"]
C_REPEAT = CNT["repeat_presentations"]
C_REJ_THRESHOLD = CNT["rejected_threshold"]
C_REJ_CREAM = CNT["rejected_cream"]
C_REFERRALS = CNT["referrals"]
C_REFERRAL_FAIL = CNT["referral_failures"]
C_HANDOFFS = CNT["handoffs"]
C_STARTS = CNT["starts"]
C_STARTS_TARGET_TRUE = CNT["starts_in_target_true"]
C_STARTS_TARGET_REP = CNT["starts_in_target_reported"]
C_CLOCK_STOPS = CNT["clock_stops"]
C_DISCHARGES = CNT["discharges"]
C_TRUE_SUCCESS = CNT["closes_true_success"]
C_REP_SUCCESS = CNT["closes_reported_success"]
C_MISREPORTS = CNT["misreports"]
C_EXCLUSIONS = CNT["exclusions"]
C_COUNTED = CNT["closes_counted"]
C_TIMING = CNT["timing_discharges"]
C_CHURN = CNT["churn_discharges"]
C_UNRESOLVED = CNT["unresolved_discharges"]
C_DROPOUTS = CNT["dropouts"]
C_QUITS = CNT["quits"]
C_HIRES = CNT["hires"]
C_BROKEN = CNT["broken_relationships"]
C_H_REL = CNT["h_relational"]
C_H_PROT = CNT["h_protocol"]
C_H_GAME = CNT["h_gaming"]
C_H_ADMIN = CNT["h_admin"]
C_H_ASSESS = CNT["h_assessment"]
C_H_LEARN = CNT["h_learning"]
C_H_SLACK = CNT["h_slack"]
C_H_OVERTIME = CNT["h_overtime"]
C_H_SUBSTITUTED = CNT["h_substituted"]
C_H_THRESHOLD = CNT["h_threshold_withheld"]
C_H_RATCHET = CNT["h_ratchet_withheld"]
C_H_PARKED = CNT["h_parked"]
C_H_CASE = CNT["h_case_total"]
C_DISC_SPEND = CNT["disc_spend"]
C_FOLLOWUPS = CNT["followups"]
C_REAL_IMPROVED = CNT["real_improved"]
C_REAL_WORSENED = CNT["real_worsened"]
C_SUST_CHECKS = CNT["sustained_checks"]
C_SUST_OK = CNT["sustained_ok"]
C_ELIGIBLE = CNT["eligible_presentations"]
C_WAIT_DROPOUTS = CNT["waiting_dropouts"]
C_GIVE_UPS = CNT["give_ups"]
C_HOLISTIC = CNT["holistic_discharges"]
C_EPISODE_LIMIT = CNT["episode_limit_discharges"]
C_ATTRIB_HELP = CNT["attrib_help"]
C_ATTRIB_OTHER = CNT["attrib_other"]

# ---- per-provider weekly counters (pcnt[p, k]) ----
PCNT_NAMES = (
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
    "exclusions",
    "real_sum",
    "real_sq",
    "note_sum",
    "note_sq",
    "note_real_sum",
    "n_learn",
    "presentations",
)
PCNT = {name: i for i, name in enumerate(PCNT_NAMES)}
N_PCNT = len(PCNT_NAMES)
PC_CLOSES = PCNT["closes"]
PC_TRUE_SUCC = PCNT["true_success"]
PC_REP_SUCC = PCNT["reported_success"]
PC_COUNTED = PCNT["counted"]
PC_STARTS = PCNT["starts"]
PC_STARTS_T_TRUE = PCNT["starts_target_true"]
PC_STARTS_T_REP = PCNT["starts_target_reported"]
PC_INTAKES = PCNT["intakes"]
PC_HOURS_CASE = PCNT["hours_case"]
PC_MISREPORTS = PCNT["misreports"]
PC_EXCLUSIONS = PCNT["exclusions"]
PC_REAL_SUM = PCNT["real_sum"]
PC_REAL_SQ = PCNT["real_sq"]
PC_NOTE_SUM = PCNT["note_sum"]
PC_NOTE_SQ = PCNT["note_sq"]
PC_NOTE_REAL_SUM = PCNT["note_real_sum"]
PC_N_LEARN = PCNT["n_learn"]
PC_PRESENTATIONS = PCNT["presentations"]

# ---- per-provider per-band counters (bcnt[p, band, k]) ----
BCNT_NAMES = ("closes", "reported_success", "true_success", "weeks")
BCNT = {name: i for i, name in enumerate(BCNT_NAMES)}
N_BCNT = len(BCNT_NAMES)
B_CLOSES = BCNT["closes"]
B_REP_SUCC = BCNT["reported_success"]
B_TRUE_SUCC = BCNT["true_success"]
B_WEEKS = BCNT["weeks"]

# ---- provider policy columns (pol[p, k]); refusals by band are in Services.refuse ----
POL_NAMES = (
    "selectivity",  # mean refusal of eligible cases over the bands (the band-by-band policy: Services.refuse)
    "parking",
    "pressure",
    "honesty",
    "timing",
    "clock_priority",
    "refer",
    "exclusion",
    "churn",
)
POL = {name: i for i, name in enumerate(POL_NAMES)}
N_POL = len(POL_NAMES)
POL_SELECT = POL["selectivity"]
POL_PARK = POL["parking"]
POL_PRESSURE = POL["pressure"]
POL_HONESTY = POL["honesty"]
POL_TIMING = POL["timing"]
POL_CLOCK = POL["clock_priority"]
POL_REFER = POL["refer"]
POL_EXCLUDE = POL["exclusion"]
POL_CHURN = POL["churn"]

# ---- each provider's practice (Services.practice[p, k]): levers that can differ by provider ----
PRACTICE_NAMES = (
    "eligibility_threshold",
    "caseload_cap",
    "discretion",  # discretion in use: worker_discretion x the permission space
    "discretionary_spend",  # spend in use per case-week: discretionary_spend x discretion in use
    "max_episode_weeks",
    "outreach_rate",
    "walk_in",  # 1 when people can come to this provider's door; 0 for a team that only reaches out
)
PRACTICE = {name: i for i, name in enumerate(PRACTICE_NAMES)}
N_PRACTICE = len(PRACTICE_NAMES)
PR_ELIG = PRACTICE["eligibility_threshold"]
PR_CAP = PRACTICE["caseload_cap"]
PR_DISC = PRACTICE["discretion"]
PR_SPEND = PRACTICE["discretionary_spend"]
PR_MAX_EPISODE = PRACTICE["max_episode_weeks"]
PR_OUTREACH = PRACTICE["outreach_rate"]
PR_WALK_IN = PRACTICE["walk_in"]
