// Internal to _proviso (bindings/python/src): what its source files share. Not installed, not API.
//
//   errors.cc     SDK exceptions -> proviso._errors (TranslateSdkErrors); locations, diagnostics
//   facts.cc      Python values -> JSON facts (DateTimeFact, Converter, ToJson, UNKNOWN),
//                 EvaluateFacts, Options
//   decisions.cc  JSON and decisions -> Python (FromJson, PyDecision, obligations, items)
//   columns.cc    batch column specs and element types; numpy column conversions (ticks_to_units,
//                 units_to_ns, factorize_objects, encode_enum_sets)
//   batch.cc      evaluate_batch (columns, masks) and evaluate_rows (the row-by-row path)
//   store.cc      the PolicyStore class (RegisterStore)
//   row.cc        the prepared evaluator over the typed row API (RegisterRowEvaluator)
//   module.cc     PYBIND11_MODULE: the Policy and Decision classes, the module functions
#ifndef PROVISO_BINDINGS_PYTHON_SRC_MODULE_INTERNAL_H_
#define PROVISO_BINDINGS_PYTHON_SRC_MODULE_INTERNAL_H_

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

// The SDK's exception classes are caught here but thrown in libproviso: give their typeinfo default
// visibility (pybind11 builds the module with -fvisibility=hidden).
#pragma GCC visibility push(default)
#include "proviso/proviso.h"
#pragma GCC visibility pop

namespace py = pybind11;
using nlohmann::json;

namespace proviso::python {

// ---------------------------------------------------------------- errors (errors.cc)

py::object ErrorClass(const char* name);
py::dict LocationDict(const proviso::SourceLocation& l);
py::dict DiagnosticDict(const proviso::PolicyDiagnostic& d);
// An in-language test's outcome: {name, location, passed, failures} (Policy.run_tests, a reload's failed tests).
py::dict TestOutcomeDict(const proviso::TestOutcome& t);
void TranslateSdkErrors(std::exception_ptr p);

// ---------------------------------------------------------------- Python -> JSON facts (facts.cc)

// A Python date-time (datetime, pandas.Timestamp, numpy.datetime64) in facts. Its JSON form
// depends on the type of its field, which only the SDK knows: a `date` field takes "YYYY-MM-DD", a
// `datetime` field "YYYY-MM-DDTHH:MM:SSZ", and neither takes the other. proviso._convert.jsonable
// gives both forms (a `proviso._convert.Instant`); the facts hold one, and EvaluateFacts switches
// to the other when the SDK refuses it (FactsError::path() names the field).
struct DateTimeFact {
  std::string path;             // the field, as FactsError::path() names it
  json::json_pointer pointer;   // where its value is in the facts
  std::string date;             // its (local) date, "YYYY-MM-DD"
  std::string instant;          // the instant, "YYYY-MM-DDTHH:MM:SSZ" (UTC)
  bool midnight = false;        // no time of day (in its own zone): the facts hold `date` first
  std::string shown;            // the Python value, for messages
};

// What ToJson needs besides the value: proviso._convert.jsonable (for values that are not
// JSON-native), the Instant class, and where to record date-times (nullptr: none expected).
struct Converter {
  py::object fallback;
  py::object instant_class;
  py::object unknown;  // proviso.UNKNOWN: a fact not given
  std::vector<DateTimeFact>* datetimes = nullptr;
  std::vector<std::string> where;  // the JSON pointer tokens of the value being converted

  static Converter Make() {
    py::module_ convert = py::module_::import("proviso._convert");
    Converter c;
    c.fallback = convert.attr("jsonable");
    c.instant_class = convert.attr("Instant");
    c.unknown = convert.attr("UNKNOWN");
    return c;
  }
};

json ToJson(py::handle h, const std::string& path, Converter& conv);
proviso::Decision EvaluateFacts(const proviso::Policy& policy, json& facts, const std::vector<DateTimeFact>& datetimes,
                                const proviso::EvalOptions& options);
// EvalOptions of the Python arguments (`budget`: EvalOptions::budget).
proviso::EvalOptions Options(const std::optional<std::string>& as_of,
                             const std::map<std::string, std::string>& params, bool explain, int64_t budget = 0);

// ---------------------------------------------------------------- decisions (decisions.cc)

py::object FromJson(const json& j);

// A decision together with what produced it, so that explain() can re-run the same evaluation
// (same facts, params and evaluation date) with explanations on, only when asked.
struct PyDecision {
  proviso::Policy policy;
  json facts;  // the facts as JSON (empty while `source` holds them)
  proviso::EvalOptions options;
  proviso::Decision decision;
  std::optional<proviso::Decision> explained;  // `decision` again, with its explanation
  // A prepared evaluator's facts: a copy of the dict of plain values it was given, turned into
  // `facts` when first needed (explain, pickling). Called with the GIL held.
  py::object source;
  const json& Facts();

  // Called with the GIL held; evaluates with it released.
  const proviso::Decision& Explained();
};

// Decision.obligations() and Decision.items(): lists of dicts (see module.cc).
py::list ObligationDicts(const PyDecision& d);
py::list ItemDicts(const PyDecision& d);

// ---------------------------------------------------------------- columns (columns.cc)

using MaskArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;

py::list SpecsToPython(const std::vector<proviso::ColumnSpec>& specs);
py::array EnsureColumn(const py::handle& h, const proviso::ColumnSpec& s);
void Put(void* column, const proviso::ColumnSpec& s, int64_t row, int64_t value);
py::array NewColumn(const proviso::ColumnSpec& s, int64_t rows);
py::tuple TicksToUnits(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& ticks,
                       int64_t ticks_per_unit, bool whole);
py::tuple FactorizeObjects(const py::array& values, const std::optional<std::vector<std::string>>& categories,
                           int width, const py::tuple& missing);
py::tuple EncodeEnumSets(const py::array& values, const std::vector<std::string>& categories,
                         const py::tuple& missing);
py::tuple UnitsToNs(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& values,
                    const std::optional<MaskArray>& present, int64_t ns_per_unit);

// ---------------------------------------------------------------- batch evaluation (batch.cc)

py::tuple EvaluateBatch(const proviso::Policy& policy, int64_t rows, const py::list& columns,
                        const py::list& present, const py::list& dictionaries,
                        const std::optional<std::string>& as_of,
                        const std::map<std::string, std::string>& params, const py::object& known, int64_t budget,
                        int64_t chunk_rows, const py::object& progress);
py::tuple EvaluateRows(const proviso::Policy& policy, const py::sequence& facts,
                       const std::optional<std::string>& as_of,
                       const std::map<std::string, std::string>& params, int64_t budget, int64_t chunk_rows,
                       const py::object& progress);

// ---------------------------------------------------------------- engines and stores

// The engine options of a back end ("jit" or "interpreter"; else Error) and an import root.
proviso::EngineOptions EngineOptionsFor(const std::string& backend, const std::string& root);
// Adds the PolicyStore class to the module (store.cc).
void RegisterStore(py::module_& m);
void RegisterRowEvaluator(py::module_& m);

}  // namespace proviso::python

#endif  // PROVISO_BINDINGS_PYTHON_SRC_MODULE_INTERNAL_H_
