"""Proviso: policy-as-code for legal obligations, from Python.

    import proviso
    policy = proviso.compile("policies/cn/benchmark_policy.proviso")
    decision = policy.evaluate({...facts...}, as_of="2020-09-01")        # or an instant: "2024-03-10T12:00:00Z"
    decision.outputs, decision.obligations, decision.explain()         # obligations: deadline, status, ...
    decision.undetermined, decision.missing_facts                      # facts left out are not known

    frame = policy.evaluate_frame(df, as_of="2020-09-01")              # a whole DataFrame at once
    changes, summary = proviso.what_if(policy, df, {"60 days": {"min_retention": "60 days"}})
    proviso.plot_what_if(proviso.what_if(policy, df, {...}))

    with proviso.PolicyStore("policies/cn", watch=1.0) as store:         # served by name, reloaded on change
        store.get("call_center").evaluate({...}).version                # the version that decided

    import proviso.dask                                                # Dask frames, on a cluster (needs Dask)
    out = proviso.dask.evaluate_frame(ddf, policy, as_of="2020-09-01") # lazy; a Policy pickles as its sources

Every error is a :class:`ProvisoError` (a :class:`ValueError`). See docs/sdk-python.md.
"""

from ._errors import CompileError, EvaluationError, FactsError, ProvisoError, SourceLocation, UndeterminedError
from ._convert import UNKNOWN
from ._frame import evaluate_frame
from ._policy import (Citation, ColumnSpec, Decision, DeadlineKind, Evaluator, Item, ItemRef, Obligation, Policy,
                      Status, TestOutcome, compile)
from ._store import PolicyReload, PolicyStore, ReloadReport
from ._version import __version__
from ._what_if import WhatIfResult, plot_what_if, what_if
from .verify import DiffReport, VerifyReport, diff, verify

__all__ = [
    "__version__",
    "compile",
    "UNKNOWN",
    "Policy",
    "Evaluator",
    "Decision",
    "Obligation",
    "ItemRef",
    "Item",
    "DeadlineKind",
    "Status",
    "Citation",
    "ColumnSpec",
    "TestOutcome",
    "PolicyStore",
    "ReloadReport",
    "PolicyReload",
    "evaluate_frame",
    "what_if",
    "WhatIfResult",
    "plot_what_if",
    "verify",
    "diff",
    "VerifyReport",
    "DiffReport",
    "ProvisoError",
    "CompileError",
    "FactsError",
    "EvaluationError",
    "UndeterminedError",
    "SourceLocation",
]
