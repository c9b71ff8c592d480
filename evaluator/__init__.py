"""Evaluator: metrics, criteria, verdicts, the score and run reports (docs/evaluator.md).

Reads recordings (``testzone.recording``) and, optionally, a road network (``maps``); never
runs a simulation. Public API::

    from evaluator import score_case, write_report, rebuild_report, compare_runs
    result = score_case(recording, net=None, criteria=None)      # -> CaseResult
    write_report(run_dir, [result], manifest, recordings={case_id: path}, net_for_case=None)
    rebuild_report(run_dir)                                       # testzone report RUN_DIR
    compare_runs(run_a, run_b)                                    # testzone compare A B
    format_compare(diff); write_compare_html(path, diff)          # its table / compare.html
    criteria_from_properties(props, file=, entity=)               # .xosc criterion:<id>
    run_totals(results)                                           # run-level aggregates

Metrics live one family per module in :mod:`evaluator.metrics`; criteria in
:mod:`evaluator.criteria`; the score in :mod:`evaluator.scoring` with weights from
``evaluator/weights.json``; reports in :mod:`evaluator.report`.
"""

from evaluator.aggregate import totals as run_totals
from evaluator.case import CaseResult, compute_metrics, score_case
from evaluator.criteria import Criterion, CriterionOutcome, default_criteria
from evaluator.declared import criteria_from_properties
from evaluator.errors import EvaluationError
from evaluator.interfaces import Metric, RoadNetworkView
from evaluator.report import compare_runs, read_summary, rebuild_report, write_report
from evaluator.report.compare import format_compare, write_compare_html
from evaluator.results import MetricResult, Statistic, TimeSeries, Violation
from evaluator.scoring import Weights, load_weights

__all__ = ["CaseResult", "Criterion", "CriterionOutcome", "EvaluationError", "Metric",
           "MetricResult", "RoadNetworkView", "Statistic", "TimeSeries", "Violation", "Weights",
           "compare_runs", "compute_metrics", "criteria_from_properties", "default_criteria",
           "format_compare", "load_weights", "read_summary", "rebuild_report", "run_totals",
           "score_case", "write_compare_html", "write_report"]
