// _proviso: the private pybind11 extension under the `proviso` Python package. It exposes the
// public C++ SDK (runtime/include/proviso/proviso.h) and nothing else; proviso/*.py builds the
// typed Python API on it.
//
// Conventions:
// - Every call into the SDK that compiles or evaluates releases the GIL.
// - SDK exceptions become the Python exceptions of proviso._errors (CompileError, FactsError,
//   EvaluationError, ProvisoError: all ValueErrors) with their structured fields.
// - A Python `Policy` holds a proviso::Policy (a shared handle): the compiled policy lives as long as
//   any Python object refers to it.
//
// The parts (module_internal.h declares what they share): errors.cc, facts.cc, decisions.cc,
// columns.cc, batch.cc, store.cc; this file binds them.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "module_internal.h"

namespace proviso::python {

proviso::EngineOptions EngineOptionsFor(const std::string& backend, const std::string& root) {
  proviso::EngineOptions o;
  o.import_root = root;
  if (backend == "jit") {
    o.backend = proviso::Backend::kJit;
  } else if (backend == "interpreter") {
    o.backend = proviso::Backend::kInterpreter;
  } else {
    throw proviso::Error("unknown backend `" + backend + "` (jit, interpreter)");
  }
  return o;
}

namespace {

proviso::Engine MakeEngine(const std::string& backend, const std::string& root = "") {
  return proviso::Engine(EngineOptionsFor(backend, root));
}

}  // namespace
}  // namespace proviso::python

using namespace proviso::python;

PYBIND11_MODULE(_proviso, m) {
  m.doc() = "Private extension of the `proviso` package: the C++ SDK. Use `import proviso`.";
  py::register_exception_translator(&TranslateSdkErrors);

  py::class_<proviso::Policy>(m, "Policy", "A compiled policy (immutable, shared, thread-safe).")
      .def_property_readonly("name", &proviso::Policy::name)
      .def_property_readonly("version", &proviso::Policy::version)
      .def_property_readonly("backend",
                             [](const proviso::Policy& p) {
                               return p.backend() == proviso::Backend::kJit ? "jit" : "interpreter";
                             })
      .def("output_names", &proviso::Policy::output_names)
      .def("param_names", &proviso::Policy::param_names)
      // [(path, text)]: the main file first, then its imports and law files.
      .def("source_files", [](const proviso::Policy& p) {
             py::list out;
             for (const auto& [path, text] : p.SourceFiles()) out.append(py::make_tuple(path, py::bytes(text)));
             return out;
           })
      .def("warnings",
           [](const proviso::Policy& p) {
             py::list out;
             for (const proviso::PolicyDiagnostic& d : p.warnings()) {
               out.append(DiagnosticDict(d));
             }
             return out;
           })
      .def("dump", &proviso::Policy::Dump, py::arg("stage"), py::call_guard<py::gil_scoped_release>())
      .def("batch_inputs", [](const proviso::Policy& p) { return SpecsToPython(p.BatchInputs()); })
      .def("batch_outputs", [](const proviso::Policy& p) { return SpecsToPython(p.BatchOutputs()); })
      .def("run_tests",
           [](const proviso::Policy& p, const std::optional<std::string>& today) {
             std::vector<proviso::TestOutcome> outcomes;
             {
               py::gil_scoped_release release;
               outcomes = p.RunTests(today);
             }
             py::list out;
             for (const proviso::TestOutcome& t : outcomes) out.append(TestOutcomeDict(t));
             return out;
           },
           py::arg("today") = py::none())
      .def("evaluate",
           [](const proviso::Policy& p, py::handle facts, const std::optional<std::string>& as_of,
              const std::map<std::string, std::string>& params, bool explain, int64_t budget) {
             Converter conv = Converter::Make();
             std::vector<DateTimeFact> datetimes;
             conv.datetimes = &datetimes;
             auto d = std::make_unique<PyDecision>(PyDecision{p, ToJson(facts, "", conv),
                                                              Options(as_of, params, explain, budget), {}, std::nullopt, {}});
             {
               py::gil_scoped_release release;
               d->decision = EvaluateFacts(p, d->facts, datetimes, d->options);
             }
             return d;
           },
           py::arg("facts"), py::arg("as_of") = py::none(), py::arg("params") = std::map<std::string, std::string>{},
           py::arg("explain") = false, py::arg("budget") = 0)
      .def("evaluate_batch", &EvaluateBatch, py::arg("rows"), py::arg("columns"), py::arg("present"),
           py::arg("dictionaries"), py::arg("as_of") = py::none(),
           py::arg("params") = std::map<std::string, std::string>{}, py::arg("known") = py::none(),
           py::arg("budget") = 0, py::arg("chunk_rows") = 0, py::arg("progress") = py::none())
      .def_property_readonly("facts", &proviso::Policy::Facts)
      .def_property_readonly("missing_words", &proviso::Policy::MissingWords)
      .def_property_readonly("optional_facts", &proviso::Policy::OptionalFacts)
      .def("evaluate_rows", &EvaluateRows, py::arg("facts"), py::arg("as_of") = py::none(),
           py::arg("params") = std::map<std::string, std::string>{}, py::arg("budget") = 0,
           py::arg("chunk_rows") = 0, py::arg("progress") = py::none());

  py::class_<PyDecision>(m, "Decision", "The outcome of one evaluation.")
      .def("to_dict", [](const PyDecision& d) { return FromJson(d.decision.ToJson()); })
      .def_property_readonly("as_of", [](const PyDecision& d) { return d.decision.as_of(); })
      .def_property_readonly("version", [](const PyDecision& d) { return d.decision.version(); })
      .def("outputs", [](const PyDecision& d) { return FromJson(d.decision.outputs()); })
      // Output name -> list of the paths of the missing facts it waits for.
      .def("undetermined", [](const PyDecision& d) { return FromJson(d.decision.undetermined()); })
      .def("missing_facts", [](const PyDecision& d) { return d.decision.missing_facts(); })
      .def_property_readonly("law_as_of", [](const PyDecision& d) { return d.decision.ToJson().value("law_as_of", ""); })
      // Dicts: name, modality, subject, action, deadline (text or None), deadline_kind, standard,
      // status, citations [(document, article)], citation_texts, interpretation, violated, item (None or {scope, index, key}).
      .def("obligations", [](const PyDecision& d) { return ObligationDicts(d); })
      // Dicts: scope, index, key, law_as_of, outputs.
      .def("items", [](const PyDecision& d) { return ItemDicts(d); })
      .def("explanation_text", [](PyDecision& d) { return d.Explained().explanation_text(); })
      .def("explanation", [](PyDecision& d) { return FromJson(d.Explained().explanation()); })
      // Pickling: the policy, and (facts as JSON text, the evaluation instant, params, explain,
      // budget), from which decision_from_state decides again, exactly as this decision.
      .def_property_readonly("policy", [](const PyDecision& d) { return d.policy; })
      .def("state", [](PyDecision& d) {
        return py::make_tuple(d.Facts().dump(), d.decision.as_of(), d.options.params, d.options.explain,
                              d.options.budget);
      });
  m.def("decision_from_state",
        [](const proviso::Policy& p, const std::string& facts, const std::string& as_of,
           const std::map<std::string, std::string>& params, bool explain, int64_t budget) {
          auto d = std::make_unique<PyDecision>(PyDecision{p, json::parse(facts), Options(as_of, params, explain, budget),
                                                           {}, std::nullopt, {}});
          py::gil_scoped_release release;
          d->decision = p.Evaluate(d->facts, d->options);
          return d;
        },
        py::arg("policy"), py::arg("facts"), py::arg("as_of"), py::arg("params"), py::arg("explain"),
        py::arg("budget"));

  RegisterStore(m);
  RegisterRowEvaluator(m);

  m.def("ticks_to_units", &TicksToUnits, py::arg("ticks"), py::arg("ticks_per_unit"), py::arg("whole"));
  m.def("ticks_to_days", &TicksToUnits, py::arg("ticks"), py::arg("ticks_per_day"), py::arg("whole"));
  m.def("units_to_ns", &UnitsToNs, py::arg("values"), py::arg("present"), py::arg("ns_per_unit"));
  m.def("days_to_ns",
        [](const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& days,
           const std::optional<MaskArray>& present) { return UnitsToNs(days, present, 86'400'000'000'000); },
        py::arg("days"), py::arg("present"));
  m.def("encode_enum_sets", &EncodeEnumSets, py::arg("values"), py::arg("categories"), py::arg("missing"));
  m.def("factorize_objects", &FactorizeObjects, py::arg("values"), py::arg("categories"), py::arg("width"),
        py::arg("missing"));
  m.def("compile_file",
        [](const std::string& path, const std::string& backend, const std::string& root) {
          return MakeEngine(backend, root).CompileFile(path);
        },
        py::arg("path"), py::arg("backend") = "jit", py::arg("root") = "", py::call_guard<py::gil_scoped_release>());
  m.def("compile_string",
        [](const std::string& source, const std::string& name, const std::string& backend, const std::string& root) {
          return MakeEngine(backend, root).CompileString(source, name);
        },
        py::arg("source"), py::arg("name") = "<string>", py::arg("backend") = "jit", py::arg("root") = "",
        py::call_guard<py::gil_scoped_release>());
}
