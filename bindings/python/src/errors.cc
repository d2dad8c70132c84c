// _proviso: SDK exceptions as the Python exceptions of proviso._errors (with their fields).

#include <exception>
#include <string>

#include "module_internal.h"

namespace proviso::python {

// ---------------------------------------------------------------- errors

py::object ErrorClass(const char* name) {
  return py::module_::import("proviso._errors").attr(name);
}

py::dict LocationDict(const proviso::SourceLocation& l) {
  py::dict d;
  d["file"] = l.file;
  d["line"] = l.line;
  d["column"] = l.column;
  return d;
}

namespace {

void Raise(const char* cls_name, const std::string& message, const py::dict& fields) {
  py::object cls = ErrorClass(cls_name);
  py::object exc = cls(message, **fields);
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

}  // namespace

py::dict TestOutcomeDict(const proviso::TestOutcome& t) {
  py::dict x;
  x["name"] = t.name;
  x["location"] = LocationDict(t.location);
  x["passed"] = t.passed;
  x["failures"] = t.failures;
  return x;
}

// A diagnostic as the dict Python sees (ProvisoError.diagnostics, Policy.warnings).
py::dict DiagnosticDict(const proviso::PolicyDiagnostic& d) {
  py::dict x;
  x["severity"] = d.severity;
  x["code"] = d.code;
  x["message"] = d.message;
  x["file"] = d.location.file;
  x["line"] = d.location.line;
  x["column"] = d.location.column;
  x["help"] = d.help;
  x["rendered"] = d.rendered;
  return x;
}

void TranslateSdkErrors(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const proviso::CompileError& e) {
    py::list diags;
    for (const proviso::PolicyDiagnostic& d : e.diagnostics()) {
      diags.append(DiagnosticDict(d));
    }
    py::dict f;
    f["diagnostics"] = diags;
    Raise("CompileError", e.what(), f);
  } catch (const proviso::FactsError& e) {
    py::dict f;
    f["path"] = e.path();
    Raise("FactsError", e.what(), f);
  } catch (const proviso::EvaluationError& e) {
    py::dict f;
    f["location"] = LocationDict(e.location());
    Raise("EvaluationError", e.what(), f);
  } catch (const proviso::Error& e) {
    Raise("ProvisoError", e.what(), py::dict());
  }
}

}  // namespace proviso::python
