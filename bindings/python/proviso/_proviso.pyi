"""Type stubs of the private extension `proviso._proviso` (bindings/python/src/module.cc and the files beside it).

Use the public API in `proviso` instead; these signatures may change without notice.
"""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict

import numpy as np
import numpy.typing as npt

class Policy:
    """A compiled policy (immutable, shared, thread-safe)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def backend(self) -> str: ...
    def output_names(self) -> List[str]: ...
    def param_names(self) -> List[str]: ...
    def source_files(self) -> List[Tuple[str, bytes]]: ...  # (path, content): the main file first, then imports and law files
    def warnings(self) -> List[Dict[str, Any]]: ...
    def dump(self, stage: str) -> str: ...
    def batch_inputs(self) -> List[Dict[str, Any]]: ...
    def batch_outputs(self) -> List[Dict[str, Any]]: ...
    def run_tests(self, today: Optional[str] = None) -> List[Dict[str, Any]]: ...
    def evaluate(
        self,
        facts: Any,
        as_of: Optional[str] = None,
        params: Mapping[str, str] = ...,
        explain: bool = False,
        budget: int = 0,
    ) -> Decision: ...
    def evaluate_batch(
        self,
        rows: int,
        columns: Sequence[npt.NDArray[np.int64]],
        present: Sequence[Optional[npt.NDArray[np.uint8]]],
        dictionaries: Sequence[Optional[Sequence[str]]],
        as_of: Optional[str] = None,
        params: Mapping[str, str] = ...,
        known: Optional[Sequence[Optional[npt.NDArray[np.uint8]]]] = None,
        budget: int = 0,
        chunk_rows: int = 0,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> Tuple[List[npt.NDArray[np.int64]], List[Optional[npt.NDArray[np.uint8]]], List[str]]: ...
    def evaluate_rows(
        self,
        facts: Sequence[Mapping[str, Any]],
        as_of: Optional[str] = None,
        params: Mapping[str, str] = ...,
        budget: int = 0,
        chunk_rows: int = 0,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> Tuple[List[npt.NDArray[np.int64]], List[Optional[npt.NDArray[np.uint8]]], List[str]]: ...

class ItemRefDict(TypedDict):
    scope: str
    index: int
    key: Any

class ItemDict(ItemRefDict):
    law_as_of: str  # "YYYY-MM-DD"
    outputs: Dict[str, Any]

class ObligationDict(TypedDict):
    name: str
    modality: str
    subject: str
    action: str
    deadline: Optional[str]  # "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ"
    deadline_kind: str  # "by", "recurring", "retention", "open" or ""
    standard: str
    status: str  # "pending", "met", "overdue", "early", "breached" or ""
    citations: List[Tuple[str, str]]
    citation_texts: List[str]  # the paragraph of each citation, "" when it names a provision in words
    interpretation: str  # "" unless the obligation is marked as an interpretation
    violated: bool
    item: Optional[ItemRefDict]

class Decision:
    """The outcome of one evaluation."""

    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def as_of(self) -> str: ...  # "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SSZ" when not a midnight
    @property
    def law_as_of(self) -> str: ...  # "YYYY-MM-DD", or "" when the policy has no `law as of`
    @property
    def version(self) -> str: ...  # Policy.version of the policy that decided
    def outputs(self) -> Dict[str, Any]: ...
    def obligations(self) -> List[ObligationDict]: ...
    def items(self) -> List[ItemDict]: ...
    def explanation_text(self) -> str: ...
    def explanation(self) -> Dict[str, Any]: ...
    @property
    def policy(self) -> Policy: ...  # the policy that decided
    def state(self) -> Tuple[str, str, Dict[str, str], bool, int]: ...  # (facts JSON, as_of, params, explain, budget)

def decision_from_state(
    policy: Policy, facts: str, as_of: str, params: Mapping[str, str], explain: bool, budget: int
) -> Decision: ...
def ticks_to_units(
    ticks: npt.NDArray[np.int64], ticks_per_unit: int, whole: bool
) -> Tuple[npt.NDArray[np.int64], int]: ...
def ticks_to_days(
    ticks: npt.NDArray[np.int64], ticks_per_day: int, whole: bool
) -> Tuple[npt.NDArray[np.int64], int]: ...
def factorize_objects(
    values: npt.NDArray[np.object_], categories: Optional[Sequence[str]], width: int, missing: Tuple[Any, ...]
) -> Tuple[npt.NDArray[Any], List[str], int, str]: ...
def encode_enum_sets(
    values: npt.NDArray[np.object_], categories: Sequence[str], missing: Tuple[Any, ...]
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], int, str, Any]: ...
def units_to_ns(
    values: npt.NDArray[np.int64], present: Optional[npt.NDArray[np.uint8]], ns_per_unit: int
) -> Tuple[npt.NDArray[np.int64], int]: ...
def days_to_ns(
    days: npt.NDArray[np.int64], present: Optional[npt.NDArray[np.uint8]]
) -> Tuple[npt.NDArray[np.int64], int]: ...
def compile_file(path: str, backend: str = "jit", root: str = "") -> Policy: ...
def compile_string(source: str, name: str = "<string>", backend: str = "jit", root: str = "") -> Policy: ...

class RowEvaluator:
    def __init__(self, policy: Policy, as_of: Optional[str] = ..., params: Dict[str, str] = ..., budget: int = ...) -> None: ...
    def evaluate(self, facts: Any) -> Decision: ...

class PolicyStore:
    """Named policies served from a folder, reloaded without downtime (store.cc)."""

    def __init__(
        self,
        folder: str,
        watch: Optional[float] = None,
        backend: str = "jit",
        root: str = "",
        run_tests: bool = True,
        today: Optional[str] = None,
    ) -> None: ...
    def get(self, name: str) -> Policy: ...
    def find(self, name: str) -> Optional[Policy]: ...
    def names(self) -> List[str]: ...
    # {"error": str, "text": str, "policies": [{"name", "path", "status", "attempted", "version",
    # "previous_version", "reason", "diagnostics", "warnings", "failed_tests"}]}
    def reload(self) -> Dict[str, Any]: ...
    def last_report(self) -> Dict[str, Any]: ...
    @property
    def generation(self) -> int: ...
    @property
    def folder(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
