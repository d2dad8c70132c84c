// _proviso: Python values -> JSON facts (the Converter; proviso.UNKNOWN: a fact not given), and
// their evaluation (date-times in the form their field takes).

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "module_internal.h"

namespace proviso::python {

// ---------------------------------------------------------------- Python <-> JSON
// (DateTimeFact and Converter: module_internal.h.)

// Converts a Python value to JSON. JSON-native values (dict with str keys, list, tuple, set,
// frozenset, str, bool, int, float, None) are converted here; anything else goes through
// proviso._convert.jsonable (dates, date-times, timedeltas, numpy and pandas scalars), which returns
// a JSON-native value or an Instant (a date-time: see DateTimeFact), or raises. NaN becomes null
// (a missing value). A field whose value is proviso.UNKNOWN is left out (a fact not given). `path`
// names the value in errors.
namespace {

// As the SDK's facts (compiler/interp/facts.h, kMaxFactsDepth): deeper objects and arrays are an
// error, and so is a container that holds itself (it would be infinitely deep).
constexpr size_t kMaxDepth = 64;

// The UTF-8 text of a str, or a FactsError naming `path` when it cannot be encoded (a lone surrogate).
std::string Utf8(py::handle s, const std::string& path) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(s.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    throw proviso::FactsError("`" + path + "`: text that is not valid Unicode (it holds a lone surrogate)", path);
  }
  return std::string(data, static_cast<size_t>(size));
}

void CheckDepth(const Converter& conv, const std::string& path) {
  if (conv.where.size() >= kMaxDepth) {
    throw proviso::FactsError("`" + path.substr(0, 200) + (path.size() > 200 ? "...`" : "`") +
                                  ": the facts nest deeper than 64 objects and arrays (or a container holds itself)",
                              path);
  }
}

}  // namespace

json ToJson(py::handle h, const std::string& path, Converter& conv) {
  if (h.is_none()) return nullptr;
  if (h.ptr() == conv.unknown.ptr()) {
    throw proviso::FactsError("`" + path + "`: UNKNOWN stands for a fact not given, and only a field's value can be one",
                              path);
  }
  if (PyBool_Check(h.ptr())) return h.ptr() == Py_True;
  if (PyLong_Check(h.ptr())) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(h.ptr(), &overflow);
    if (overflow) {
      throw proviso::FactsError(
          "`" + path + "`: " + py::str(h).cast<std::string>() + " does not fit in 64 bits", path);
    }
    return static_cast<int64_t>(v);
  }
  if (PyFloat_Check(h.ptr())) {
    double d = PyFloat_AS_DOUBLE(h.ptr());
    if (std::isnan(d)) return nullptr;
    return d;
  }
  if (PyUnicode_Check(h.ptr())) return Utf8(h, path);
  if (PyDict_Check(h.ptr())) {
    CheckDepth(conv, path);
    json o = json::object();
    for (auto item : py::reinterpret_borrow<py::dict>(h)) {
      if (!PyUnicode_Check(item.first.ptr())) {
        throw proviso::FactsError("`" + path + "`: keys must be text, found " +
                                      py::repr(item.first).cast<std::string>(), path);
      }
      if (item.second.ptr() == conv.unknown.ptr()) continue;  // a fact not given: left out
      std::string key = Utf8(item.first, path);
      conv.where.push_back(key);
      o[key] = ToJson(item.second, path.empty() ? key : path + "." + key, conv);
      conv.where.pop_back();
    }
    return o;
  }
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) || PyAnySet_Check(h.ptr())) {
    CheckDepth(conv, path);
    json a = json::array();
    size_t i = 0;
    for (py::handle x : h) {
      if (x.ptr() == conv.unknown.ptr()) {
        throw proviso::FactsError("`" + path + "[" + std::to_string(i) +
                                      "]`: an element cannot be unknown (leave the whole collection out)",
                                  path + "[" + std::to_string(i) + "]");
      }
      conv.where.push_back(std::to_string(i));
      a.push_back(ToJson(x, path + "[" + std::to_string(i) + "]", conv));
      conv.where.pop_back();
      ++i;
    }
    return a;
  }
  py::object converted = conv.fallback(h, path);
  if (py::isinstance(converted, conv.instant_class)) {  // (jsonable gives an Instant back as it is)
    DateTimeFact d;
    d.path = path;
    for (const std::string& token : conv.where) d.pointer.push_back(token);
    d.date = converted.attr("date").cast<std::string>();
    d.instant = converted.attr("instant").cast<std::string>();
    d.midnight = converted.attr("midnight").cast<bool>();
    d.shown = converted.attr("shown").cast<std::string>();
    std::string first = d.midnight ? d.date : d.instant;
    if (conv.datetimes) conv.datetimes->push_back(std::move(d));
    return first;
  }
  if (converted.ptr() == h.ptr()) {
    throw proviso::FactsError("`" + path + "`: cannot convert " + py::repr(h).cast<std::string>(), path);
  }
  return ToJson(converted, path, conv);
}

// Evaluates facts in which `datetimes` (see DateTimeFact) hold their first form, switching a
// date-time to its other form when the SDK refuses the first for its field; `facts` keep the forms
// that were taken. A date-time with a time of day given for a `date` field is a FactsError that
// says so (never truncated to its date). Thread-safe (no Python).
proviso::Decision EvaluateFacts(const proviso::Policy& policy, json& facts, const std::vector<DateTimeFact>& datetimes,
                                const proviso::EvalOptions& options) {
  std::vector<char> switched(datetimes.size(), 0);
  for (;;) {
    try {
      return policy.Evaluate(facts, options);
    } catch (const proviso::FactsError& e) {
      size_t k = 0;
      while (k < datetimes.size() && (switched[k] || datetimes[k].path != e.path())) ++k;
      if (k == datetimes.size()) throw;
      const DateTimeFact& d = datetimes[k];
      switched[k] = 1;
      if (d.midnight) {  // a midnight, refused as a date: the instant
        facts[d.pointer] = d.instant;
        continue;
      }
      // An instant with a time of day, refused: if its date would do, the field is a date.
      facts[d.pointer] = d.date;
      bool date_field = false;
      try {
        policy.Evaluate(facts, options);
        date_field = true;
      } catch (const proviso::FactsError& again) {
        date_field = again.path() != d.path;
      } catch (const proviso::Error&) {
        date_field = true;  // the facts were read: the field took the date
      }
      facts[d.pointer] = d.instant;
      if (!date_field) throw;
      throw proviso::FactsError("`" + d.path + "`: " + d.shown +
                                    " has a time of day, but the field is a date: give a date, or a date-time at midnight",
                                d.path);
    }
  }
}

proviso::EvalOptions Options(const std::optional<std::string>& as_of,
                             const std::map<std::string, std::string>& params, bool explain, int64_t budget) {
  proviso::EvalOptions o;
  o.budget = budget;
  o.as_of = as_of;
  o.params = params;
  o.explain = explain;
  return o;
}

}  // namespace proviso::python
