"""What a run reports: the weekly time series and the run summary, each defined once here.

Every indicator is kept twice, as the truth and as reported. Each gaming channel is its own
number. Rates in the time series use a rolling 13-week window of counts so that a quiet week
does not produce a division by zero; the summary uses totals after the burn-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from hls_sim.kernels.readout import weekly_means
from hls_sim.layout import (
    ACTIVE,
    CNT,
    IN_SERVICE,
    N_CNT,
    PCNT,
    POL,
)

if TYPE_CHECKING:
    from hls_sim.model import HLSModel

WINDOW = 13
GAMING_CHANNELS = (
    "effort_substitution",
    "threshold",
    "ratchet",
    "misreporting",
    "exclusions",
    "cream_skimming",
    "parking",
    "timing",
)
MONEY = ("payments", "penalties", "audit", "tender", "steward", "transition", "discretionary", "downstream", "reactive")
STATE_COLUMNS = (
    (
        "wellbeing_mean",
        "wellbeing_most_complex_decile",
        "wellbeing_twin_mean",
        "community",
        "waiting",
        "in_service",
        "workers_active",
        "morale_mean",
        "motivation_mean",
        "burnout_mean",
        "trust_citizen_mean",
        "trust_provider_provider",
        "trust_commissioner_provider",
        "relationship_mean",
        "knowledge_mean",
        "learning_signal_quality",
        "knowledge_shared",
        "knowledge_openness",
        "permission_space",
        "provider_churn",
        "alliance_share_max",
        "handoffs_per_person",
    )
    + tuple(f"policy_{name}" for name in POL)
    + tuple(f"cost_{k}" for k in MONEY)
    + ("cost_total",)
)


class Recorder:
    """Preallocated weekly columns; `finalize` turns them into a polars table and a summary."""

    def __init__(self, model: HLSModel) -> None:
        weeks = model.p["weeks"]
        self.cols: dict[str, np.ndarray] = {name: np.zeros(weeks) for name in STATE_COLUMNS}
        self.counts = np.zeros((weeks, N_CNT))
        self.regime: list[str] = []
        self.t = 0
        self.burn_in = min(model.p["burn_in_weeks"], max(weeks - 1, 0))
        self.wait_hist = np.zeros_like(model.wait_hist_week)
        self.wait_hist_rep = np.zeros_like(model.wait_hist_week)
        self.deciles = np.zeros((10, 5))
        self.providers = np.zeros_like(model.pcnt)
        self._latest: dict[str, float] = {}
        self._off = ~np.eye(model.n_prov, dtype=bool)

    def record(self, m: HLSModel) -> None:
        t = self.t
        if t >= self.counts.shape[0]:  # a model stepped past its planned length keeps going unrecorded
            return
        c, w = m.cit, m.wk
        col = self.cols
        self.counts[t] = m.cnt
        col["wellbeing_mean"][t], col["wellbeing_most_complex_decile"][t] = m.wellbeing()
        col["wellbeing_twin_mean"][t] = m.wellbeing_twin()
        col["community"][t], col["waiting"][t], col["in_service"][t] = m.counts_by_status()
        r = weekly_means(
            c["status"],
            c["trust"],
            c["bond"],
            c["handoffs"],
            w["status"],
            w["morale"],
            w["motivation"],
            w["burnout"],
            IN_SERVICE,
            ACTIVE,
        )
        col["trust_citizen_mean"][t] = r[0]
        col["relationship_mean"][t] = r[1]
        col["handoffs_per_person"][t] = r[2]
        col["workers_active"][t] = r[3]
        col["morale_mean"][t], col["motivation_mean"][t], col["burnout_mean"][t] = r[4], r[5], r[6]
        col["trust_provider_provider"][t] = m.ptrust[self._off].mean() if m.n_prov > 1 else 1.0
        col["trust_commissioner_provider"][t] = m.ctrust.mean()
        col["knowledge_mean"][t] = m.knowledge.mean()
        col["learning_signal_quality"][t] = m.learning_quality
        col["knowledge_shared"][t] = m.knowledge_shared
        col["knowledge_openness"][t] = m.knowledge_openness
        col["permission_space"][t] = m.permission
        col["provider_churn"][t] = m.provider_churn
        col["alliance_share_max"][t] = m.alliance_share.max()
        for name, k in POL.items():
            col[f"policy_{name}"][t] = m.pol[:, k].mean()
        total = 0.0
        for k in MONEY:
            v = m.ledger.week[k]
            col[f"cost_{k}"][t] = v
            total += -v if k == "penalties" else v
        col["cost_total"][t] = total
        self.regime.append(m.active_regime)
        if t >= self.burn_in:
            self.wait_hist += m.wait_hist_week
            self.wait_hist_rep += m.wait_hist_rep_week
            self.deciles += m.dcnt_week
            self.providers += m.pcnt
        cnt = m.cnt
        self._latest = {
            "true_outcome_week": _rate(cnt[CNT["closes_true_success"]], cnt[CNT["discharges"]]),
            "reported_outcome_week": _rate(cnt[CNT["closes_reported_success"]], cnt[CNT["closes_counted"]]),
            "wellbeing_mean": col["wellbeing_mean"][t],
            "cost_total": total,
        }
        self.t += 1

    def latest(self, key: str) -> float:
        return self._latest.get(key, 0.0)

    # ------------------------------------------------------------------ outputs
    def timeseries(self, m: HLSModel | None = None) -> pl.DataFrame:
        """Every weekly column recorded so far (`m` is accepted for older callers and not needed)."""
        return self.table()

    def column_names(self) -> list[str]:
        return ["week", "regime", *(f"n_{name}" for name in CNT), *self.cols, *_derived_rates(self.counts[:1])]

    def table(self) -> pl.DataFrame:
        t = self.t
        data: dict[str, Any] = {"week": np.arange(t, dtype=np.int64), "regime": self.regime[:t]}
        for name, k in CNT.items():
            data[f"n_{name}"] = self.counts[:t, k]
        for name, arr in self.cols.items():
            data[name] = arr[:t]
        roll = _rolling(self.counts[:t], WINDOW)
        data.update(_derived_rates(roll))
        return pl.DataFrame(data)

    def summary(self, m: HLSModel) -> dict[str, Any]:
        """Totals after the burn-in; every key is defined in docs/ODD.md (section 8, outputs)."""
        t0, t = self.burn_in, self.t
        tot = self.counts[t0:t].sum(axis=0)
        rates = _derived_rates(tot[None, :])
        out: dict[str, Any] = {k: float(v[0]) for k, v in rates.items()}
        years = max((t - t0) / 52.0, 1e-9)
        col = self.cols
        out["wellbeing_mean"] = float(col["wellbeing_mean"][t0:t].mean())
        out["wellbeing_most_complex_decile"] = float(col["wellbeing_most_complex_decile"][t0:t].mean())
        out["wellbeing_final"] = float(col["wellbeing_mean"][t - 1])
        out["wellbeing_most_complex_decile_final"] = float(col["wellbeing_most_complex_decile"][t - 1])
        out["crisis_events"] = float(tot[CNT["crises"]])
        out["crisis_events_per_1000_per_year"] = float(tot[CNT["crises"]] / m.n * 1000.0 / years)
        out["reactive_contacts_per_1000_per_year"] = float(tot[CNT["reactive_contacts"]] / m.n * 1000.0 / years)
        costs = {k: float(col[f"cost_{k}"][t0:t].sum()) for k in MONEY}
        for k, v in costs.items():
            out[f"cost_{k}"] = v
        out["total_cost"] = float(col["cost_total"][t0:t].sum())
        out["total_cost_per_year"] = out["total_cost"] / years
        improved = tot[CNT["real_improved"]]
        out["real_improvements"] = float(improved)
        out["cost_per_true_outcome"] = float(out["total_cost"] / improved) if improved > 0 else float("inf")
        workers = max(float(col["workers_active"][t0:t].mean()), 1e-9)
        out["worker_turnover"] = float(tot[CNT["quits"]] / workers / years)
        out["morale_mean"] = float(col["morale_mean"][t0:t].mean())
        out["motivation_mean"] = float(col["motivation_mean"][t0:t].mean())
        out["burnout_mean"] = float(col["burnout_mean"][t0:t].mean())
        out["trust_citizen_mean"] = float(col["trust_citizen_mean"][t0:t].mean())
        out["trust_provider_provider"] = float(col["trust_provider_provider"][t0:t].mean())
        out["trust_commissioner_provider"] = float(col["trust_commissioner_provider"][t0:t].mean())
        out["knowledge_mean"] = float(col["knowledge_mean"][t0:t].mean())
        out["knowledge_final"] = float(col["knowledge_mean"][t - 1])
        out["provider_churn"] = float(m.provider_churn)
        out["handoffs_per_person"] = float(m.cit["handoffs"].mean())
        out["repeat_demand_share"] = _rate(tot[CNT["repeat_presentations"]], tot[CNT["presentations"]])
        dec = self.deciles
        elig, acc, hours, caseweeks, hours0 = dec[:, 0], dec[:, 1], dec[:, 2], dec[:, 3], dec[:, 4]
        acc_rate = np.divide(acc, elig, out=np.zeros(10), where=elig > 0)
        hrs = np.divide(hours, caseweeks, out=np.zeros(10), where=caseweeks > 0)
        out["acceptance_by_complexity_decile"] = [float(x) for x in acc_rate]
        out["hours_per_case_week_by_complexity_decile"] = [float(x) for x in hrs]
        ratio = np.divide(hours, hours0, out=np.ones(10), where=hours0 > 0)
        out["hours_vs_need_by_complexity_decile"] = [float(x) for x in ratio]
        out["hours_vs_need_top_decile"] = float(ratio[9])
        out["acceptance_gap_top_decile"] = float(acc_rate[:5].mean() - acc_rate[9])
        out["hours_gap_top_decile"] = float(hrs[:5].mean() - hrs[9])
        target = m.p["wait_target_weeks"] if m.p["wait_target_weeks"] > 0 else 4
        out["time_to_service_true"] = _share_within(self.wait_hist, target)
        out["time_to_service_reported"] = _share_within(self.wait_hist_rep, target)
        out["time_to_service_gap"] = out["time_to_service_reported"] - out["time_to_service_true"]
        out["time_to_service_target_weeks"] = int(target)
        out["time_to_service_bunching"] = _bunching(self.wait_hist, target)
        out["wait_histogram"] = [float(x) for x in self.wait_hist[:53]]
        out["wait_histogram_reported"] = [float(x) for x in self.wait_hist_rep[:53]]
        led = m.ledger
        # money over the whole run (the burn-in included): flows and stocks must balance
        out["money_paid_by_commissioner"] = float(led.paid)
        out["money_received_by_providers"] = float(led.received.sum())
        out["money_spent_by_providers"] = float(led.spent.sum())
        out["provider_initial_reserves"] = float(led.brought_in)
        out["provider_reserves_final"] = float(led.reserves.sum())
        out["provider_deficit"] = float(max(0.0, led.spent.sum() + led.penalties_paid.sum() - led.received.sum()))
        out["provider_debts_written_off"] = float(led.written_off)
        out["provider_insolvencies"] = float(m.commissioner.insolvencies)
        out["penalties_paid_by_providers"] = float(led.penalties_paid.sum())
        out["penalties_received_by_commissioner"] = float(led.penalties_received)
        out["audited_cases"] = float(m.commissioner.audited)
        out["detected_misreports"] = float(m.commissioner.detected)
        out["league_table_sanctions"] = float(m.commissioner.sanctions)
        pv = self.providers
        true_p = np.divide(
            pv[:, PCNT["true_success"]], pv[:, PCNT["closes"]], out=np.zeros(m.n_prov), where=pv[:, PCNT["closes"]] > 0
        )
        rep_p = np.divide(
            pv[:, PCNT["reported_success"]],
            pv[:, PCNT["counted"]],
            out=np.zeros(m.n_prov),
            where=pv[:, PCNT["counted"]] > 0,
        )
        out["provider_true_outcome"] = [float(x) for x in true_p]
        out["provider_reported_outcome"] = [float(x) for x in rep_p]
        # does the league table rank providers by what they really achieve? (None when undefined)
        ok = pv[:, PCNT["closes"]] > 0
        corr = None
        if ok.sum() >= 3 and true_p[ok].std() > 0 and rep_p[ok].std() > 0:
            corr = float(np.corrcoef(true_p[ok], rep_p[ok])[0, 1])
        out["provider_reported_true_correlation"] = corr
        out.update(impact(m, out["total_cost"], years, hours_by_decile=dec[:, 2]))
        out["final_regime"] = m.active_regime
        return out


def _rate(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def _share_within(hist: np.ndarray, target: int) -> float:
    tot = hist.sum()
    return float(hist[: target + 1].sum() / tot) if tot > 0 else 0.0


def _bunching(hist: np.ndarray, target: int) -> float:
    """Starts in the last week inside the target over the mean of the two weeks after it (1 = smooth)."""
    after = hist[target + 1 : target + 3].mean() if hist.shape[0] > target + 2 else 0.0
    at = hist[target]
    if after <= 0:
        return float(at > 0) * 10.0 if at > 0 else 1.0
    return float(min(at / after, 10.0))


def _rolling(counts: np.ndarray, window: int) -> np.ndarray:
    cs = np.cumsum(counts, axis=0)
    out = cs.copy()
    out[window:] = cs[window:] - cs[:-window]
    return out


def _derived_rates(c: np.ndarray) -> dict[str, np.ndarray]:
    """Indicator and gaming rates from (rolling or total) counts; zero where nothing happened."""

    def ratio(num: str | np.ndarray, den: str | np.ndarray) -> np.ndarray:
        a = c[:, CNT[num]] if isinstance(num, str) else num
        b = c[:, CNT[den]] if isinstance(den, str) else den
        return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b > 0)

    productive = c[:, CNT["h_relational"]] + c[:, CNT["h_protocol"]] + c[:, CNT["h_gaming"]]
    avail = productive + c[:, CNT["h_slack"]]
    true = ratio("closes_true_success", "discharges")
    reported = ratio("closes_reported_success", "closes_counted")
    out = {
        "true_outcome": true,
        "reported_outcome": reported,
        "campbell_gap": reported - true,
        "sustained_outcome": ratio("sustained_ok", "sustained_checks"),
        "real_improvement_rate": ratio("real_improved", "followups"),
        "real_decline_rate": ratio("real_worsened", "followups"),
        "gaming_effort_substitution": ratio(c[:, CNT["h_substituted"]], productive),
        "gaming_threshold": ratio(c[:, CNT["h_threshold_withheld"]], avail),
        "gaming_ratchet": ratio(c[:, CNT["h_ratchet_withheld"]], avail),
        "gaming_misreporting": ratio("misreports", "discharges"),
        "gaming_exclusions": ratio("exclusions", "discharges"),
        "gaming_cream_skimming": ratio("rejected_cream", "eligible_presentations"),
        "gaming_parking": ratio("h_parked", "h_case_total"),
        "gaming_timing": ratio(c[:, CNT["timing_discharges"]] + c[:, CNT["churn_discharges"]], c[:, CNT["discharges"]]),
        "gaming_clock_stops": ratio("clock_stops", "starts"),
        "gaming_hours_share": ratio(c[:, CNT["h_gaming"]], avail),
        "relational_time_share": ratio(
            c[:, CNT["h_relational"]], avail + c[:, CNT["h_admin"]] + c[:, CNT["h_assessment"]]
        ),
        "admin_time_share": ratio(
            c[:, CNT["h_admin"]] + c[:, CNT["h_assessment"]], avail + c[:, CNT["h_admin"]] + c[:, CNT["h_assessment"]]
        ),
        "referral_success": 1.0 - ratio("referral_failures", "referrals"),
        "attribution_share": ratio(c[:, CNT["attrib_help"]], c[:, CNT["attrib_help"]] + c[:, CNT["attrib_other"]]),
        "threshold_rejection_rate": ratio("rejected_threshold", "presentations"),
    }
    return out


def _per(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


DECILE_IMPACT_KEYS = (
    "impact_wellbeing",
    "need_years_avoided_per_1000",
    "crises_avoided_per_1000_per_year",
    "cost_per_crisis_avoided",
    "cost_per_need_year_avoided",
)


def impact(m: HLSModel, total_cost: float, years: float, hours_by_decile: np.ndarray | None = None) -> dict[str, Any]:
    """Impact against each person's no-service twin, after the burn-in (docs/ODD.md 8.7).

    Every key is None when the twin is off. Costs per unit avoided are the regime's whole public
    cost less what the no-service world would cost: the twins' crises and their contacts with
    reactive services short of a crisis, at the run's prices. They are None unless something was
    avoided. By complexity decile, a decile's own crises and reactive contacts are its own, and the
    rest of the cost (payments, steward, transition, audits, spends) is shared out by the frontline
    hours its people received (by its person-weeks when nobody received any): the money follows
    the help, so that the deciles add up to the whole.
    """
    from hls_sim.kernels.life import (
        I_CRISES,
        I_CRISES_TWIN,
        I_PERSON_WEEKS,
        I_REACTIVE,
        I_REACTIVE_TWIN,
        I_SERIOUS_AVOIDED,
        I_WB_DIFF,
    )

    keys = (
        "impact_wellbeing",
        "impact_wellbeing_presented",
        "need_years_avoided_per_1000",
        "crises_avoided_per_1000_per_year",
        "crises_no_service_per_1000_per_year",
        "reactive_contacts_avoided_per_1000_per_year",
        "reactive_contacts_no_service_per_1000_per_year",
        "cost_per_crisis_avoided",
        "cost_per_need_year_avoided",
        "net_cost_against_no_service",
    )
    out: dict[str, Any] = {}
    if not m.p["twin"]:
        out = dict.fromkeys(keys)
        for k in DECILE_IMPACT_KEYS:
            out[f"{k}_by_complexity_decile"] = [None] * 10
        return out
    imp = m.imp
    dec = imp[:10]
    tot = dec.sum(axis=0)
    pw = tot[I_PERSON_WEEKS]
    crises_avoided = tot[I_CRISES_TWIN] - tot[I_CRISES]
    need_weeks_avoided = tot[I_SERIOUS_AVOIDED]
    no_service_cost = tot[I_CRISES_TWIN] * m.p["crisis_cost"] + tot[I_REACTIVE_TWIN] * m.p["reactive_contact_cost"]
    net_cost = total_cost - no_service_cost
    out["impact_wellbeing"] = _per(tot[I_WB_DIFF], pw)
    out["impact_wellbeing_presented"] = _per(imp[10, I_WB_DIFF], imp[10, I_PERSON_WEEKS])
    out["need_years_avoided_per_1000"] = _per(need_weeks_avoided * 1000.0, pw)
    out["crises_avoided_per_1000_per_year"] = _per(crises_avoided * 1000.0 * 52.0, pw)
    out["crises_no_service_per_1000_per_year"] = _per(tot[I_CRISES_TWIN] * 1000.0 * 52.0, pw)
    out["reactive_contacts_avoided_per_1000_per_year"] = _per(
        (tot[I_REACTIVE_TWIN] - tot[I_REACTIVE]) * 1000.0 * 52.0, pw
    )
    out["reactive_contacts_no_service_per_1000_per_year"] = _per(tot[I_REACTIVE_TWIN] * 1000.0 * 52.0, pw)
    out["net_cost_against_no_service"] = float(net_cost)
    out["cost_per_crisis_avoided"] = float(net_cost / crises_avoided) if crises_avoided > 0 else None
    out["cost_per_need_year_avoided"] = (
        float(net_cost / (need_weeks_avoided / 52.0)) if need_weeks_avoided > 0 else None
    )
    pwd = dec[:, I_PERSON_WEEKS]
    out["impact_wellbeing_by_complexity_decile"] = [_per(a, b) for a, b in zip(dec[:, I_WB_DIFF], pwd, strict=True)]
    out["need_years_avoided_per_1000_by_complexity_decile"] = [
        _per(a * 1000.0, b) for a, b in zip(dec[:, I_SERIOUS_AVOIDED], pwd, strict=True)
    ]
    out["crises_avoided_per_1000_per_year_by_complexity_decile"] = [
        _per((a - b) * 1000.0 * 52.0, c) for a, b, c in zip(dec[:, I_CRISES_TWIN], dec[:, I_CRISES], pwd, strict=True)
    ]
    own = dec[:, I_CRISES] * m.p["crisis_cost"] + dec[:, I_REACTIVE] * m.p["reactive_contact_cost"]
    twins = dec[:, I_CRISES_TWIN] * m.p["crisis_cost"] + dec[:, I_REACTIVE_TWIN] * m.p["reactive_contact_cost"]
    hours = np.zeros(10) if hours_by_decile is None else np.asarray(hours_by_decile, dtype=np.float64)
    weights = hours if hours.sum() > 0 else pwd
    share = weights / weights.sum() if weights.sum() > 0 else np.zeros(10)
    net_d = (total_cost - own.sum()) * share + own - twins
    crises_d = dec[:, I_CRISES_TWIN] - dec[:, I_CRISES]
    need_years_d = dec[:, I_SERIOUS_AVOIDED] / 52.0
    out["cost_per_crisis_avoided_by_complexity_decile"] = [
        float(c / a) if a > 0 else None for c, a in zip(net_d, crises_d, strict=True)
    ]
    out["cost_per_need_year_avoided_by_complexity_decile"] = [
        float(c / a) if a > 0 else None for c, a in zip(net_d, need_years_d, strict=True)
    ]
    return out
