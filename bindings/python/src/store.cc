// _proviso.PolicyStore: proviso::PolicyStore (runtime/include/proviso/store.h) for Python;
// proviso/_store.py builds the public class on it.
//
// The Python object holds the store through a shared_ptr: a reload() in progress (with the GIL
// released) keeps the store alive even if another thread calls close() meanwhile; the store is
// destroyed (its watch thread stopped) by the last of them, always with the GIL released.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "module_internal.h"

#pragma GCC visibility push(default)
#include "proviso/store.h"
#pragma GCC visibility pop

namespace proviso::python {
namespace {

class PyStore {
 public:
  PyStore(const std::string& folder, std::optional<double> watch, const std::string& backend, const std::string& root,
          bool run_tests, const std::optional<std::string>& today) {
    proviso::StoreOptions options;
    options.engine = EngineOptionsFor(backend, root);
    if (watch) {
      if (!std::isfinite(*watch) || *watch <= 0) throw proviso::Error("watch must be a positive number of seconds");
      options.watch_interval = std::chrono::milliseconds(std::max<int64_t>(1, std::llround(*watch * 1000)));
    }
    options.run_tests = run_tests;
    options.test_today = today;
    py::gil_scoped_release release;
    store_ = std::make_shared<proviso::PolicyStore>(folder, std::move(options));
  }
  ~PyStore() { Close(); }

  // The store, or Error once closed. Called with the GIL held.
  std::shared_ptr<proviso::PolicyStore> Store() const {
    if (!store_) throw proviso::Error("the policy store is closed");
    return store_;
  }
  // Stops the watch thread (waiting for a reload in progress) unless a reload() still runs: then
  // the store stops when it returns.
  void Close() {
    std::shared_ptr<proviso::PolicyStore> store = std::move(store_);
    store_.reset();
    py::gil_scoped_release release;
    store.reset();
  }
  bool closed() const { return !store_; }

 private:
  std::shared_ptr<proviso::PolicyStore> store_;
};

py::dict ReportDict(const proviso::ReloadReport& report) {
  py::list policies;
  for (const proviso::PolicyReload& p : report.policies) {
    py::dict d;
    d["name"] = p.name;
    d["path"] = p.path;
    d["status"] = proviso::ReloadStatusName(p.status);
    d["attempted"] = p.attempted;
    d["version"] = p.version;
    d["previous_version"] = p.previous_version;
    d["reason"] = p.reason;
    py::list diagnostics, warnings, tests;
    for (const proviso::PolicyDiagnostic& x : p.diagnostics) diagnostics.append(DiagnosticDict(x));
    for (const proviso::PolicyDiagnostic& x : p.warnings) warnings.append(DiagnosticDict(x));
    for (const proviso::TestOutcome& t : p.failed_tests) tests.append(TestOutcomeDict(t));
    d["diagnostics"] = diagnostics;
    d["warnings"] = warnings;
    d["failed_tests"] = tests;
    policies.append(d);
  }
  py::dict out;
  out["error"] = report.error;
  out["policies"] = policies;
  out["text"] = report.ToText();
  return out;
}

}  // namespace

void RegisterStore(py::module_& m) {
  py::class_<PyStore>(m, "PolicyStore", "Named policies served from a folder, reloaded without downtime.")
      .def(py::init<const std::string&, std::optional<double>, const std::string&, const std::string&, bool,
                    const std::optional<std::string>&>(),
           py::arg("folder"), py::arg("watch") = py::none(), py::arg("backend") = "jit", py::arg("root") = "",
           py::arg("run_tests") = true, py::arg("today") = py::none())
      .def("get", [](const PyStore& s, const std::string& name) { return s.Store()->Get(name); }, py::arg("name"))
      .def("find",
           [](const PyStore& s, const std::string& name) -> std::optional<proviso::Policy> {
             return s.Store()->Find(name);
           },
           py::arg("name"))
      .def("names", [](const PyStore& s) { return s.Store()->Names(); })
      .def("reload",
           [](const PyStore& s) {
             std::shared_ptr<proviso::PolicyStore> store = s.Store();
             proviso::ReloadReport report;
             {
               py::gil_scoped_release release;
               report = store->Reload();
               store.reset();  // the store stops here if close() was called meanwhile
             }
             return ReportDict(report);
           })
      .def("last_report", [](const PyStore& s) { return ReportDict(s.Store()->LastReport()); })
      .def_property_readonly("generation", [](const PyStore& s) { return s.Store()->generation(); })
      .def_property_readonly("folder", [](const PyStore& s) { return s.Store()->folder(); })
      .def_property_readonly("closed", &PyStore::closed)
      .def("close", &PyStore::Close);
}

}  // namespace proviso::python
