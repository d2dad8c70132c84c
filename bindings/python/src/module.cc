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

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
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

namespace {

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

void Raise(const char* cls_name, const std::string& message, const py::dict& fields) {
  py::object cls = ErrorClass(cls_name);
  py::object exc = cls(message, **fields);
  PyErr_SetObject(cls.ptr(), exc.ptr());
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

// ---------------------------------------------------------------- Python <-> JSON

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

// Converts a Python value to JSON. JSON-native values (dict with str keys, list, tuple, set,
// frozenset, str, bool, int, float, None) are converted here; anything else goes through
// proviso._convert.jsonable (dates, date-times, timedeltas, numpy and pandas scalars), which returns
// a JSON-native value or an Instant (a date-time: see DateTimeFact), or raises. NaN becomes null
// (a missing value). A field whose value is proviso.UNKNOWN is left out (a fact not given). `path`
// names the value in errors.
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
  if (PyUnicode_Check(h.ptr())) return h.cast<std::string>();
  if (PyDict_Check(h.ptr())) {
    json o = json::object();
    for (auto item : py::reinterpret_borrow<py::dict>(h)) {
      if (!PyUnicode_Check(item.first.ptr())) {
        throw proviso::FactsError("`" + path + "`: keys must be text, found " +
                                      py::repr(item.first).cast<std::string>(), path);
      }
      if (item.second.ptr() == conv.unknown.ptr()) continue;  // a fact not given: left out
      std::string key = item.first.cast<std::string>();
      conv.where.push_back(key);
      o[key] = ToJson(item.second, path.empty() ? key : path + "." + key, conv);
      conv.where.pop_back();
    }
    return o;
  }
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr()) || PyAnySet_Check(h.ptr())) {
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

py::object FromJson(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return py::none();
    case json::value_t::boolean: return py::bool_(j.get<bool>());
    case json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case json::value_t::number_float: return py::float_(j.get<double>());
    case json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list l;
      for (const json& x : j) l.append(FromJson(x));
      return std::move(l);
    }
    case json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = FromJson(it.value());
      return std::move(d);
    }
    default: return py::none();
  }
}

py::dict ItemRefDict(const proviso::ItemRef& r) {
  py::dict x;
  x["scope"] = r.scope;
  x["index"] = r.index;
  x["key"] = FromJson(r.key);
  return x;
}

proviso::EvalOptions Options(const std::optional<std::string>& as_of,
                             const std::map<std::string, std::string>& params, bool explain) {
  proviso::EvalOptions o;
  o.as_of = as_of;
  o.params = params;
  o.explain = explain;
  return o;
}

// ---------------------------------------------------------------- decisions

// A decision together with what produced it, so that explain() can re-run the same evaluation
// (same facts, params and evaluation date) with explanations on, only when asked.
struct PyDecision {
  proviso::Policy policy;
  json facts;
  proviso::EvalOptions options;
  proviso::Decision decision;
  std::optional<proviso::Decision> explained;  // `decision` again, with its explanation

  // Called with the GIL held; evaluates with it released.
  const proviso::Decision& Explained() {
    if (options.explain) return decision;
    if (!explained) {
      proviso::EvalOptions o = options;
      o.explain = true;
      o.as_of = decision.as_of();  // the date the decision was made for (default: today)
      proviso::Decision e;
      {
        py::gil_scoped_release release;
        e = policy.Evaluate(facts, o);
      }
      explained = std::move(e);
    }
    return *explained;
  }
};

// ---------------------------------------------------------------- columns

const char* KindName(proviso::ColumnKind k) {
  switch (k) {
    case proviso::ColumnKind::kBool: return "bool";
    case proviso::ColumnKind::kInt: return "int";
    case proviso::ColumnKind::kDecimal: return "decimal";
    case proviso::ColumnKind::kDate: return "date";
    case proviso::ColumnKind::kDuration: return "duration";
    case proviso::ColumnKind::kEnum: return "enum";
    case proviso::ColumnKind::kText: return "text";
    case proviso::ColumnKind::kEnumSet: return "enum_set";
    case proviso::ColumnKind::kDateTime: return "datetime";
  }
  return "int";
}

py::list SpecsToPython(const std::vector<proviso::ColumnSpec>& specs) {
  py::list out;
  for (const proviso::ColumnSpec& s : specs) {
    py::dict d;
    d["name"] = s.name;
    d["kind"] = KindName(s.kind);
    d["optional"] = s.optional;
    d["has_default"] = s.has_default;
    d["width"] = s.width;
    d["categories"] = s.categories;
    out.append(d);
  }
  return out;
}

using MaskArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;

// A column as a C-contiguous numpy array of its spec's element type (ColumnSpec::width): uint8
// bools, int8/int32 enum codes, int64 otherwise. Converted only when the dtype differs.
py::array EnsureColumn(const py::handle& h, const proviso::ColumnSpec& s) {
  constexpr int kFlags = py::array::c_style | py::array::forcecast;
  if (s.width == 1) {
    if (s.kind == proviso::ColumnKind::kBool) return py::array_t<uint8_t, kFlags>::ensure(h);
    return py::array_t<int8_t, kFlags>::ensure(h);
  }
  if (s.width == 4) return py::array_t<int32_t, kFlags>::ensure(h);
  return py::array_t<int64_t, kFlags>::ensure(h);
}

// Writes one element of an output column at its width.
void Put(void* column, const proviso::ColumnSpec& s, int64_t row, int64_t value) {
  if (s.width == 1) static_cast<int8_t*>(column)[row] = static_cast<int8_t>(value);
  else if (s.width == 4) static_cast<int32_t*>(column)[row] = static_cast<int32_t>(value);
  else static_cast<int64_t*>(column)[row] = value;
}

py::array NewColumn(const proviso::ColumnSpec& s, int64_t rows) {
  if (s.width == 1) {
    if (s.kind == proviso::ColumnKind::kBool) return py::array_t<uint8_t>(rows);
    return py::array_t<int8_t>(rows);
  }
  if (s.width == 4) return py::array_t<int32_t>(rows);
  return py::array_t<int64_t>(rows);
}

// Output columns allocated as numpy arrays, written by the SDK with the GIL released.
struct OutputBuffers {
  std::vector<py::array> columns;
  std::vector<std::optional<MaskArray>> present;
  // With cells not known: per column, (rows, words) uint64 masks of the missing facts.
  std::vector<py::array_t<uint64_t>> missing;
  proviso::BatchOutput out;

  OutputBuffers(const std::vector<proviso::ColumnSpec>& specs, int64_t rows, int words = 0) {
    for (const proviso::ColumnSpec& s : specs) {
      if (words > 0) {
        missing.emplace_back(std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows), words});
        std::fill(missing.back().mutable_data(), missing.back().mutable_data() + rows * words, uint64_t{0});
        out.missing.push_back(missing.back().mutable_data());
      }
      columns.push_back(NewColumn(s, rows));
      out.columns.push_back(columns.back().mutable_data());
      if (s.optional) {
        MaskArray m(rows);
        std::fill(m.mutable_data(), m.mutable_data() + rows, uint8_t{1});
        out.present.push_back(m.mutable_data());
        present.emplace_back(std::move(m));
      } else {
        out.present.push_back(nullptr);
        present.emplace_back(std::nullopt);
      }
    }
  }

  py::tuple ToPython() const {
    py::list cols, masks;
    for (const py::array& c : columns) cols.append(c);
    for (const auto& m : present) {
      if (m) masks.append(*m);
      else masks.append(py::none());
    }
    py::object miss = py::none();
    if (!missing.empty()) {
      py::list l;
      for (const auto& m : missing) l.append(m);
      miss = l;
    }
    return py::make_tuple(cols, masks, py::cast(out.dictionary), miss);
  }
};

// evaluate_batch(policy, rows, columns, present, dictionaries, as_of, params, known)
//   -> (output columns, presence masks or None, text dictionary, missing masks or None)
// `columns` are arrays of each column's element type (ColumnSpec::width; converted only if they are
// not C-contiguous of that type), `present` uint8 masks or None, `dictionaries` lists of texts or
// None, `known` (optional) uint8 masks or None (0: the cell is a fact not given), all in
// BatchInputs() order. With cells not known, the result's fourth item is, per output column, a
// (rows, Policy.missing_words) uint64 array of the missing facts (bit k: Policy.facts[k]).
py::tuple EvaluateBatch(const proviso::Policy& policy, int64_t rows, const py::list& columns,
                        const py::list& present, const py::list& dictionaries,
                        const std::optional<std::string>& as_of,
                        const std::map<std::string, std::string>& params, const py::object& known) {
  std::vector<proviso::ColumnSpec> in_specs = policy.BatchInputs();
  std::vector<proviso::ColumnSpec> out_specs = policy.BatchOutputs();
  size_t n = in_specs.size();
  if (columns.size() != n || present.size() != n || dictionaries.size() != n) {
    throw proviso::Error("evaluate_batch: expected " + std::to_string(n) + " columns, masks and dictionaries");
  }
  std::vector<py::array> keep_columns;
  std::vector<MaskArray> keep_masks;
  std::vector<std::vector<std::string>> dicts(n);
  proviso::BatchInput in;
  in.rows = rows;
  for (size_t i = 0; i < n; ++i) {
    keep_columns.push_back(EnsureColumn(columns[i], in_specs[i]));
    if (!keep_columns.back() || keep_columns.back().ndim() != 1 || keep_columns.back().shape(0) != rows) {
      throw proviso::Error("evaluate_batch: column `" + in_specs[i].name + "` is not a 1-d array of " +
                           std::to_string(rows) + " values");
    }
    in.columns.push_back(keep_columns.back().data());
    if (present[i].is_none()) {
      in.present.push_back(nullptr);
    } else {
      keep_masks.push_back(MaskArray::ensure(present[i]));
      if (!keep_masks.back() || keep_masks.back().ndim() != 1 || keep_masks.back().shape(0) != rows) {
        throw proviso::Error("evaluate_batch: the mask of `" + in_specs[i].name + "` is not 1-d uint8 of the column's length");
      }
      in.present.push_back(keep_masks.back().data());
    }
    if (dictionaries[i].is_none()) {
      in.dictionaries.push_back(nullptr);
    } else {
      dicts[i] = dictionaries[i].cast<std::vector<std::string>>();
      in.dictionaries.push_back(&dicts[i]);
    }
  }
  bool unknowns = false;
  if (!known.is_none()) {
    py::list k = known.cast<py::list>();
    if (k.size() != n) throw proviso::Error("evaluate_batch: expected " + std::to_string(n) + " known masks");
    for (size_t i = 0; i < n; ++i) {
      if (k[i].is_none()) {
        in.known.push_back(nullptr);
        continue;
      }
      keep_masks.push_back(MaskArray::ensure(k[i]));
      if (!keep_masks.back() || keep_masks.back().ndim() != 1 || keep_masks.back().shape(0) != rows) {
        throw proviso::Error("evaluate_batch: the known mask of `" + in_specs[i].name + "` is not 1-d uint8 of the column's length");
      }
      in.known.push_back(keep_masks.back().data());
      unknowns = true;
    }
  }
  OutputBuffers buffers(out_specs, rows, unknowns ? policy.MissingWords() : 0);
  proviso::EvalOptions options = Options(as_of, params, false);
  {
    py::gil_scoped_release release;
    policy.EvaluateBatch(in, buffers.out, options);
  }
  return buffers.ToPython();
}

// ticks_to_units(ticks, ticks_per_unit, whole) -> (units, first bad row or -1)
// datetime64/timedelta64 ticks (int64, NaT = INT64_MIN) to whole units (days, seconds) in one
// pass, GIL released: floor division; with `whole`, the first value that is not a whole number of
// units is reported. NaT becomes 0 (the caller's mask says it is missing). Also bound as
// ticks_to_days (its first use: ticks to days).
py::tuple TicksToUnits(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& ticks,
                       int64_t ticks_per_unit, bool whole) {
  if (ticks_per_unit <= 0) throw proviso::Error("ticks_to_units: ticks_per_unit must be positive");
  const int64_t n = ticks.size();
  py::array_t<int64_t> units(n);
  const int64_t* in = ticks.data();
  int64_t* out = units.mutable_data();
  int64_t bad = -1;
  {
    py::gil_scoped_release release;
    constexpr int64_t kNaT = INT64_MIN;
    bool any = false;
    auto convert = [&](auto per) {  // `per` a compile-time constant where it can be: no division
      for (int64_t i = 0; i < n; ++i) {
        int64_t t = in[i] == kNaT ? 0 : in[i];
        int64_t q = t / per, r = t % per;
        out[i] = q - (r < 0);  // floor
        any |= whole & (r != 0);
      }
    };
    switch (ticks_per_unit) {
      case 86'400'000'000'000: convert(std::integral_constant<int64_t, 86'400'000'000'000>{}); break;  // ns/day
      case 86'400'000'000: convert(std::integral_constant<int64_t, 86'400'000'000>{}); break;          // us/day
      case 86'400: convert(std::integral_constant<int64_t, 86'400>{}); break;                          // s/day
      case 1'000'000'000: convert(std::integral_constant<int64_t, 1'000'000'000>{}); break;            // ns/s
      case 1'000'000: convert(std::integral_constant<int64_t, 1'000'000>{}); break;                    // us/s
      case 1'000: convert(std::integral_constant<int64_t, 1'000>{}); break;                            // ms/s
      case 1: std::copy(in, in + n, out); std::replace(out, out + n, kNaT, int64_t{0}); break;
      default: convert(ticks_per_unit);
    }
    if (any) {
      for (int64_t i = 0; i < n && bad < 0; ++i) if (in[i] != kNaT && in[i] % ticks_per_unit != 0) bad = i;
    }
  }
  return py::make_tuple(units, bad);
}

// factorize_objects(values, categories, width, missing) -> (codes, uniques, first bad row, why)
// An object column of texts to dictionary codes in one pass (pandas' factorize hashes every
// element; here a cache keyed by the object's identity answers almost every row, since a column
// of repeated values repeats the same str objects). None, float NaN and the objects in `missing`
// (pandas NA, NaT) are missing: code -1. With `categories` (an enum), a text's code is its index
// there; without, codes number the distinct texts in order of first appearance (`uniques`).
// Codes are int8/int32/int64 by `width`. The first row that is not a text (why = "type") or not
// a category (why = "category") stops the pass and is reported; otherwise the row is -1.
py::tuple FactorizeObjects(const py::array& values, const std::optional<std::vector<std::string>>& categories,
                           int width, const py::tuple& missing) {
  if (values.ndim() != 1 || values.dtype().kind() != 'O') {
    throw proviso::Error("factorize_objects: expected a 1-d object array");
  }
  const int64_t n = values.shape(0);
  const auto* base = static_cast<const char*>(values.data());
  const py::ssize_t stride = values.strides(0);
  py::array codes = width == 1 ? py::array(py::dtype::of<int8_t>(), n)
                    : width == 4 ? py::array(py::dtype::of<int32_t>(), n)
                                 : py::array(py::dtype::of<int64_t>(), n);
  void* out = codes.mutable_data();
  auto put = [&](int64_t i, int64_t code) {
    if (width == 1) static_cast<int8_t*>(out)[i] = static_cast<int8_t>(code);
    else if (width == 4) static_cast<int32_t*>(out)[i] = static_cast<int32_t>(code);
    else static_cast<int64_t*>(out)[i] = code;
  };
  std::unordered_map<std::string_view, int64_t> by_text;
  py::list uniques;
  if (categories) {
    for (size_t k = 0; k < categories->size(); ++k) by_text.emplace((*categories)[k], static_cast<int64_t>(k));
  }
  struct Entry {
    PyObject* object = nullptr;
    int64_t code = 0;
  };
  std::vector<Entry> cache(1024);
  std::vector<PyObject*> markers;
  for (const py::handle& m : missing) markers.push_back(m.ptr());
  for (int64_t i = 0; i < n; ++i) {
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + i * stride);
    Entry& e = cache[(reinterpret_cast<uintptr_t>(o) >> 4) & 1023];
    if (e.object == o) {
      put(i, e.code);
      continue;
    }
    int64_t code;
    if (o == Py_None || std::find(markers.begin(), markers.end(), o) != markers.end() ||
        (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) {
      code = -1;
    } else if (PyUnicode_Check(o)) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(o, &size);  // cached in the object, lives as long
      if (!utf8) throw py::error_already_set();
      auto [it, fresh] = by_text.emplace(std::string_view(utf8, static_cast<size_t>(size)),
                                         static_cast<int64_t>(by_text.size()));
      if (fresh && categories) return py::make_tuple(codes, uniques, i, "category");
      if (fresh) uniques.append(o);
      code = it->second;
    } else {
      return py::make_tuple(codes, uniques, i, "type");
    }
    e = Entry{o, code};
    put(i, code);
  }
  return py::make_tuple(codes, uniques, int64_t{-1}, "");
}

// encode_enum_sets(values, categories, missing) -> (masks, present, first bad row, why, bad item)
// An object column whose cells are collections (set, frozenset, list, tuple, any iterable but a
// str) of enum value names, to uint64 bitmasks (bit k: categories[k]) in one pass. None, float
// NaN and the objects in `missing` are absent rows (present 0). The first cell that is not a
// collection of str (why = "type", the cell or the element) or holds a name that is not a
// category (why = "category", the name) stops the pass; otherwise the row is -1.
py::tuple EncodeEnumSets(const py::array& values, const std::vector<std::string>& categories,
                         const py::tuple& missing) {
  if (values.ndim() != 1 || values.dtype().kind() != 'O') {
    throw proviso::Error("encode_enum_sets: expected a 1-d object array");
  }
  if (categories.size() > 64) throw proviso::Error("encode_enum_sets: more than 64 categories");
  const int64_t n = values.shape(0);
  const auto* base = static_cast<const char*>(values.data());
  const py::ssize_t stride = values.strides(0);
  py::array_t<int64_t> masks(n);
  MaskArray present(n);
  int64_t* out = masks.mutable_data();
  uint8_t* has = present.mutable_data();
  std::unordered_map<std::string_view, int> bit_of;
  for (size_t k = 0; k < categories.size(); ++k) bit_of.emplace(categories[k], static_cast<int>(k));
  std::unordered_map<PyObject*, int> by_identity;  // interned names repeat: most lookups end here
  std::vector<PyObject*> markers;
  for (const py::handle& m : missing) markers.push_back(m.ptr());
  auto stop = [&](int64_t row, const char* why, py::handle item) {
    return py::make_tuple(masks, present, row, why, py::reinterpret_borrow<py::object>(item));
  };
  for (int64_t i = 0; i < n; ++i) {
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + i * stride);
    out[i] = 0;
    has[i] = 0;
    if (o == Py_None || std::find(markers.begin(), markers.end(), o) != markers.end() ||
        (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) {
      continue;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o)) return stop(i, "type", o);
    py::object iter = py::reinterpret_steal<py::object>(PyObject_GetIter(o));
    if (!iter) {
      PyErr_Clear();
      return stop(i, "type", o);
    }
    // The elements of a list, tuple or set live as long as the column: their identity can be cached.
    bool lasting = PyList_Check(o) || PyTuple_Check(o) || PyAnySet_Check(o);
    uint64_t mask = 0;
    while (PyObject* raw = PyIter_Next(iter.ptr())) {
      py::object item = py::reinterpret_steal<py::object>(raw);
      auto known = by_identity.find(raw);
      int bit;
      if (known != by_identity.end()) {
        bit = known->second;
      } else {
        if (!PyUnicode_Check(raw)) return stop(i, "type", raw);
        Py_ssize_t size = 0;
        const char* utf8 = PyUnicode_AsUTF8AndSize(raw, &size);
        if (!utf8) throw py::error_already_set();
        auto it = bit_of.find(std::string_view(utf8, static_cast<size_t>(size)));
        if (it == bit_of.end()) return stop(i, "category", raw);
        bit = it->second;
        if (lasting) by_identity.emplace(raw, bit);
      }
      mask |= uint64_t{1} << bit;
    }
    if (PyErr_Occurred()) throw py::error_already_set();
    out[i] = static_cast<int64_t>(mask);
    has[i] = 1;
  }
  return py::make_tuple(masks, present, int64_t{-1}, "", py::none());
}

// units_to_ns(values, present, ns_per_unit) -> (datetime64[ns] ticks as int64, first row out of
// range or -1)
// Day or second numbers (ns_per_unit 86400e9 or 1e9) to nanoseconds since 1970 in one pass, NaT
// (INT64_MIN) where `present` is 0 (None: every row has a value). A value outside what
// datetime64[ns] holds (1677-09-21 .. 2262-04-11) is reported, never wrapped around. Also bound as
// days_to_ns(days, present).
py::tuple UnitsToNs(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& values,
                    const std::optional<MaskArray>& present, int64_t ns_per_unit) {
  const int64_t n = values.size();
  if (present && present->size() != n) throw proviso::Error("units_to_ns: the mask is not of the column's length");
  if (ns_per_unit <= 0) throw proviso::Error("units_to_ns: ns_per_unit must be positive");
  py::array_t<int64_t> ns(n);
  const int64_t* in = values.data();
  const uint8_t* mask = present ? present->data() : nullptr;
  int64_t* out = ns.mutable_data();
  int64_t bad = -1;
  {
    py::gil_scoped_release release;
    constexpr int64_t kNaT = INT64_MIN;
    const int64_t lo = INT64_MIN / ns_per_unit + 1, hi = INT64_MAX / ns_per_unit;
    const uint64_t per = static_cast<uint64_t>(ns_per_unit);
    bool any = false;
    for (int64_t i = 0; i < n; ++i) {
      bool has = !mask || mask[i];
      int64_t d = in[i];
      any |= has & ((d < lo) | (d > hi));
      out[i] = has ? static_cast<int64_t>(static_cast<uint64_t>(d) * per) : kNaT;  // wraps if bad
    }
    if (any) {
      for (int64_t i = 0; i < n && bad < 0; ++i) {
        if ((!mask || mask[i]) && (in[i] < lo || in[i] > hi)) bad = i;
      }
    }
  }
  return py::make_tuple(ns, bad);
}

// Days since 1970-01-01 of "YYYY-MM-DD" (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(const std::string& s) {
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

// One output value (as the Decision's JSON) in the batch column encoding.
int64_t EncodeOutput(const json& v, const proviso::ColumnSpec& spec, std::map<std::string, int64_t>& dict,
                     std::vector<std::string>& texts) {
  switch (spec.kind) {
    case proviso::ColumnKind::kBool: return v.get<bool>() ? 1 : 0;
    case proviso::ColumnKind::kInt: return v.get<int64_t>();
    case proviso::ColumnKind::kDecimal:
      return v.is_number_integer() ? v.get<int64_t>() * 1000000 : std::llround(v.get<double>() * 1e6);
    case proviso::ColumnKind::kDate: return DaysFromCivil(v.get<std::string>());
    case proviso::ColumnKind::kDateTime: {  // "YYYY-MM-DDTHH:MM:SSZ", as decisions write instants
      const std::string& t = v.get_ref<const std::string&>();
      auto two = [&](size_t at) { return (t[at] - '0') * 10 + (t[at + 1] - '0'); };
      return DaysFromCivil(t.substr(0, 10)) * 86400 + two(11) * 3600 + two(14) * 60 + two(17);
    }
    case proviso::ColumnKind::kDuration:
    case proviso::ColumnKind::kEnumSet: break;  // not batch outputs
    case proviso::ColumnKind::kEnum: {
      const std::string& name = v.get_ref<const std::string&>();
      for (size_t i = 0; i < spec.categories.size(); ++i) {
        if (spec.categories[i] == name) return static_cast<int64_t>(i);
      }
      break;
    }
    case proviso::ColumnKind::kText: {
      auto [it, fresh] = dict.emplace(v.get<std::string>(), static_cast<int64_t>(texts.size()));
      if (fresh) texts.push_back(it->first);
      return it->second;
    }
  }
  throw proviso::Error("output `" + spec.name + "`: cannot encode " + v.dump());
}

// Rows of the row-by-row path converted, then evaluated, at a time: the facts of a whole frame as
// JSON would take far more memory than the frame.
constexpr int64_t kRowChunk = 4096;
// Rows per thread below which a chunk is not split further.
constexpr int64_t kRowsPerThread = 256;

// Evaluates inputs[k] (with its date-times datetimes[k], see EvaluateFacts) into decisions[k]
// (GIL released), split over up to `threads` threads (the calling one among them, which also runs
// the parts of threads that could not start). Throws the error of the lowest failing row, "row N:
// ..." (N counted from `first_row`), whatever the order in which the threads met their errors.
void EvaluateChunk(const proviso::Policy& policy, std::vector<json>& inputs,
                   const std::vector<std::vector<DateTimeFact>>& datetimes, const proviso::EvalOptions& options,
                   std::vector<proviso::Decision>& decisions, int64_t first_row, int threads) {
  const int64_t n = static_cast<int64_t>(inputs.size());
  const int64_t parts = std::clamp<int64_t>(n / kRowsPerThread, 1, threads);
  std::vector<std::pair<int64_t, std::exception_ptr>> failed(parts, {n, nullptr});
  std::atomic<int64_t> lowest{n};  // the lowest failing row met so far: no part goes past it
  auto work = [&](int64_t part) noexcept {
    for (int64_t k = n * part / parts, end = n * (part + 1) / parts; k < end; ++k) {
      if (k > lowest.load(std::memory_order_relaxed)) return;
      try {
        decisions[k] = EvaluateFacts(policy, inputs[k], datetimes[k], options);
      } catch (...) {
        failed[part] = {k, std::current_exception()};
        for (int64_t seen = lowest.load(); k < seen && !lowest.compare_exchange_weak(seen, k);) {
        }
        return;
      }
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(parts - 1);
  for (int64_t part = 1; part < parts; ++part) {
    try {
      helpers.emplace_back(work, part);
    } catch (...) {  // no thread to be had: this one runs the rest
      break;
    }
  }
  work(0);
  for (int64_t part = 1 + static_cast<int64_t>(helpers.size()); part < parts; ++part) work(part);
  for (std::thread& t : helpers) t.join();
  auto first = std::min_element(failed.begin(), failed.end(),
                                [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!first->second) return;
  std::string row = "row " + std::to_string(first_row + first->first) + ": ";
  try {
    std::rethrow_exception(first->second);
  } catch (const proviso::FactsError& e) {
    throw proviso::FactsError(row + e.what(), e.path());
  } catch (const proviso::EvaluationError& e) {
    throw proviso::EvaluationError(row + e.what(), e.location());
  }
}

// Where the batch output columns of one obligation are (-1: it has no such column).
struct ObligationColumns {
  std::string name;
  int applies = -1, violated = -1, deadline = -1, status = -1;
};

// The obligations of the output columns after the outputs: `<name>.applies`, `.violated`,
// `.deadline`, and `.status` for an obligation with a deadline (Policy::BatchOutputs).
std::vector<ObligationColumns> ObligationColumnsOf(const std::vector<proviso::ColumnSpec>& specs, size_t first) {
  std::vector<ObligationColumns> out;
  for (size_t c = first; c < specs.size(); ++c) {
    const std::string& full = specs[c].name;
    size_t dot = full.rfind('.');
    std::string name = full.substr(0, dot), what = full.substr(dot + 1);
    if (out.empty() || out.back().name != name) out.push_back(ObligationColumns{name});
    int& slot = what == "applies" ? out.back().applies
                : what == "violated" ? out.back().violated
                : what == "deadline" ? out.back().deadline
                                     : out.back().status;
    slot = static_cast<int>(c);
  }
  return out;
}

// A Python exception raised while converting row `r` (proviso._convert.jsonable's FactsError), as
// the SDK's FactsError saying which row.
proviso::FactsError RowFactsError(py::error_already_set& e, int64_t r) {
  std::string path;
  if (py::hasattr(e.value(), "path") && !e.value().attr("path").is_none()) path = e.value().attr("path").cast<std::string>();
  return proviso::FactsError("row " + std::to_string(r) + ": " + py::str(e.value()).cast<std::string>(), path);
}

// evaluate_rows(policy, facts, as_of, params) -> the same as evaluate_batch.
// The row-by-row path, for policies whose inputs cannot be batch columns (sets, lists): each row's
// facts (a Python mapping) go through Policy::Evaluate, and its decision is written in the batch
// output encoding. A chunk of rows at a time is converted to JSON (with the GIL), then evaluated
// on the machine's cores (without it). Errors say which row ("row N: "); the first one is raised.
// Outputs and obligations decided for each element of a `for each` cannot be row columns: a row
// whose decision has one is an error.
py::tuple EvaluateRows(const proviso::Policy& policy, const py::sequence& facts,
                       const std::optional<std::string>& as_of,
                       const std::map<std::string, std::string>& params) {
  std::vector<proviso::ColumnSpec> out_specs = policy.BatchOutputs();
  Converter conv = Converter::Make();
  int64_t rows = static_cast<int64_t>(py::len(facts));
  const int words = policy.MissingWords();
  OutputBuffers buffers(out_specs, rows, words);
  std::map<std::string, int> fact_ids;
  for (size_t k = 0; k < policy.Facts().size(); ++k) fact_ids.emplace(policy.Facts()[k], static_cast<int>(k));
  bool any_undetermined = false;
  // The missing facts of column `c` in row `r`.
  auto put_missing = [&](size_t c, int64_t r, const auto& names) {
    for (const auto& name : names) {
      int id = fact_ids.at(name);
      buffers.out.missing[c][r * words + id / 64] |= uint64_t{1} << (id % 64);
      any_undetermined = true;
    }
  };
  proviso::EvalOptions options = Options(as_of, params, false);
  std::map<std::string, int64_t> dict;
  std::vector<std::string> outputs = policy.output_names();
  const std::vector<ObligationColumns> obligations = ObligationColumnsOf(out_specs, outputs.size());
  const int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  std::vector<json> inputs;
  std::vector<std::vector<DateTimeFact>> datetimes;
  std::vector<proviso::Decision> decisions;
  for (int64_t start = 0; start < rows; start += kRowChunk) {
    // A row that cannot be converted fails after the rows before it are evaluated: one of them may
    // fail first.
    std::exception_ptr unconvertible;
    inputs.clear();
    datetimes.clear();
    for (int64_t r = start; r < std::min(start + kRowChunk, rows); ++r) {
      datetimes.emplace_back();
      conv.datetimes = &datetimes.back();
      try {
        inputs.push_back(ToJson(facts[r], "", conv));
      } catch (const proviso::FactsError& e) {
        unconvertible = std::make_exception_ptr(
            proviso::FactsError("row " + std::to_string(r) + ": " + e.what(), e.path()));
      } catch (py::error_already_set& e) {
        if (!e.matches(ErrorClass("FactsError"))) throw;
        unconvertible = std::make_exception_ptr(RowFactsError(e, r));
      }
      if (unconvertible) {
        datetimes.pop_back();
        break;
      }
    }
    conv.datetimes = nullptr;
    const int64_t n = static_cast<int64_t>(inputs.size());
    decisions.assign(n, proviso::Decision{});
    py::gil_scoped_release release;
    EvaluateChunk(policy, inputs, datetimes, options, decisions, start, threads);
    for (int64_t k = 0; k < n; ++k) {
      const proviso::Decision& d = decisions[k];
      const int64_t r = start + k;
      for (size_t c = 0; c < outputs.size(); ++c) {
        auto found = d.outputs().find(outputs[c]);
        auto open = d.undetermined().find(outputs[c]);
        if (open != d.undetermined().end()) {  // undetermined: no value, its missing facts
          if (out_specs[c].optional) buffers.out.present[c][r] = 0;
          Put(buffers.out.columns[c], out_specs[c], r, 0);
          std::vector<std::string> names = open->get<std::vector<std::string>>();
          put_missing(c, r, names);
          continue;
        }
        if (found == d.outputs().end()) {
          throw proviso::Error("row " + std::to_string(r) + ": output `" + outputs[c] +
                               "` is decided for each element of a `for each`: a frame row cannot hold it "
                               "(evaluate such a policy with Policy.evaluate and read Decision.items)");
        }
        const json& v = *found;
        if (out_specs[c].optional) buffers.out.present[c][r] = !v.is_null();
        Put(buffers.out.columns[c], out_specs[c], r,
            v.is_null() ? 0 : EncodeOutput(v, out_specs[c], dict, buffers.out.dictionary));
      }
      for (const ObligationColumns& cols : obligations) {
        const proviso::Obligation* found = nullptr;
        for (const proviso::Obligation& o : d.obligations()) {
          if (o.name != cols.name) continue;
          if (o.item) {
            throw proviso::Error("row " + std::to_string(r) + ": obligation `" + o.name +
                                 "` is decided for each element of a `for each`: a frame row cannot hold it "
                                 "(evaluate such a policy with Policy.evaluate and read Decision.obligations)");
          }
          found = &o;
        }
        const std::vector<std::string> none;
        auto when = [&](bool undetermined) -> const std::vector<std::string>& {
          return found && undetermined ? found->missing : none;
        };
        bool status_open = found && found->status == "undetermined";
        if (cols.applies >= 0) {
          Put(buffers.out.columns[cols.applies], out_specs[cols.applies], r, found && !found->applies_undetermined);
          put_missing(cols.applies, r, when(found && found->applies_undetermined));
        }
        if (cols.violated >= 0) {
          Put(buffers.out.columns[cols.violated], out_specs[cols.violated], r, found && found->violated);
          put_missing(cols.violated, r, when(found && found->violation_undetermined));
        }
        if (cols.deadline >= 0) put_missing(cols.deadline, r, when(status_open));
        if (cols.status >= 0) put_missing(cols.status, r, when(status_open));
        if (cols.deadline >= 0) {
          const proviso::ColumnSpec& spec = out_specs[cols.deadline];
          bool has_deadline = found && found->deadline;
          Put(buffers.out.columns[cols.deadline], spec, r,
              has_deadline ? EncodeOutput(json(*found->deadline), spec, dict, buffers.out.dictionary) : 0);
          buffers.out.present[cols.deadline][r] = has_deadline;
        }
        if (cols.status >= 0) {
          const proviso::ColumnSpec& spec = out_specs[cols.status];
          int64_t code = 0;  // "none": the obligation does not apply, or nothing says
          if (found && !found->status.empty()) {
            auto at = std::find(spec.categories.begin(), spec.categories.end(), found->status);
            if (at == spec.categories.end()) {
              throw proviso::Error("obligation `" + cols.name + "`: unknown status `" + found->status + "`");
            }
            code = at - spec.categories.begin();
          }
          Put(buffers.out.columns[cols.status], spec, r, code);
        }
      }
    }
    if (unconvertible) std::rethrow_exception(unconvertible);
  }
  if (!any_undetermined) buffers.missing.clear();  // everything decided: no masks, as a batch without unknowns
  return buffers.ToPython();
}

proviso::Engine MakeEngine(const std::string& backend) {
  proviso::EngineOptions o;
  if (backend == "jit") {
    o.backend = proviso::Backend::kJit;
  } else if (backend == "interpreter") {
    o.backend = proviso::Backend::kInterpreter;
  } else {
    throw proviso::Error("unknown backend `" + backend + "` (jit, interpreter)");
  }
  return proviso::Engine(o);
}

}  // namespace

PYBIND11_MODULE(_proviso, m) {
  m.doc() = "Private extension of the `proviso` package: the C++ SDK. Use `import proviso`.";
  py::register_exception_translator(&TranslateSdkErrors);

  py::class_<proviso::Policy>(m, "Policy", "A compiled policy (immutable, shared, thread-safe).")
      .def_property_readonly("name", &proviso::Policy::name)
      .def_property_readonly("backend",
                             [](const proviso::Policy& p) {
                               return p.backend() == proviso::Backend::kJit ? "jit" : "interpreter";
                             })
      .def("output_names", &proviso::Policy::output_names)
      .def("param_names", &proviso::Policy::param_names)
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
             for (const proviso::TestOutcome& t : outcomes) {
               py::dict x;
               x["name"] = t.name;
               x["location"] = LocationDict(t.location);
               x["passed"] = t.passed;
               x["failures"] = t.failures;
               out.append(x);
             }
             return out;
           },
           py::arg("today") = py::none())
      .def("evaluate",
           [](const proviso::Policy& p, py::handle facts, const std::optional<std::string>& as_of,
              const std::map<std::string, std::string>& params, bool explain) {
             Converter conv = Converter::Make();
             std::vector<DateTimeFact> datetimes;
             conv.datetimes = &datetimes;
             auto d = std::make_unique<PyDecision>(PyDecision{p, ToJson(facts, "", conv),
                                                              Options(as_of, params, explain), {}, std::nullopt});
             {
               py::gil_scoped_release release;
               d->decision = EvaluateFacts(p, d->facts, datetimes, d->options);
             }
             return d;
           },
           py::arg("facts"), py::arg("as_of") = py::none(), py::arg("params") = std::map<std::string, std::string>{},
           py::arg("explain") = false)
      .def("evaluate_batch", &EvaluateBatch, py::arg("rows"), py::arg("columns"), py::arg("present"),
           py::arg("dictionaries"), py::arg("as_of") = py::none(),
           py::arg("params") = std::map<std::string, std::string>{}, py::arg("known") = py::none())
      .def_property_readonly("facts", &proviso::Policy::Facts)
      .def_property_readonly("missing_words", &proviso::Policy::MissingWords)
      .def_property_readonly("optional_facts", &proviso::Policy::OptionalFacts)
      .def("evaluate_rows", &EvaluateRows, py::arg("facts"), py::arg("as_of") = py::none(),
           py::arg("params") = std::map<std::string, std::string>{});

  py::class_<PyDecision>(m, "Decision", "The outcome of one evaluation.")
      .def("to_dict", [](const PyDecision& d) { return FromJson(d.decision.ToJson()); })
      .def_property_readonly("as_of", [](const PyDecision& d) { return d.decision.as_of(); })
      .def("outputs", [](const PyDecision& d) { return FromJson(d.decision.outputs()); })
      // Output name -> list of the paths of the missing facts it waits for.
      .def("undetermined", [](const PyDecision& d) { return FromJson(d.decision.undetermined()); })
      .def("missing_facts", [](const PyDecision& d) { return d.decision.missing_facts(); })
      .def_property_readonly("law_as_of", [](const PyDecision& d) { return d.decision.ToJson().value("law_as_of", ""); })
      // Dicts: name, modality, subject, action, deadline (text or None), deadline_kind, standard,
      // status, citations [(document, article)], violated, item (None or {scope, index, key}).
      .def("obligations",
           [](const PyDecision& d) {
             py::list out;
             for (const proviso::Obligation& o : d.decision.obligations()) {
               py::list cites;
               for (const proviso::Citation& c : o.citations) cites.append(py::make_tuple(c.document, c.article));
               py::dict x;
               x["name"] = o.name;
               x["modality"] = proviso::ModalityName(o.modality);
               x["subject"] = o.subject;
               x["action"] = o.action;
               x["deadline"] = o.deadline ? py::object(py::str(*o.deadline)) : py::object(py::none());
               x["deadline_kind"] = o.deadline_kind;
               x["standard"] = o.standard;
               x["status"] = o.status;
               x["citations"] = cites;
               x["violated"] = o.violated;
               x["applies_undetermined"] = o.applies_undetermined;
               x["violation_undetermined"] = o.violation_undetermined;
               x["missing"] = o.missing;
               x["item"] = o.item ? py::object(ItemRefDict(*o.item)) : py::object(py::none());
               out.append(x);
             }
             return out;
           })
      // Dicts: scope, index, key, law_as_of, outputs.
      .def("items",
           [](const PyDecision& d) {
             py::list out;
             for (const proviso::Item& it : d.decision.items()) {
               py::dict x = ItemRefDict(it.ref);
               x["law_as_of"] = it.law_as_of;
               x["outputs"] = FromJson(it.outputs);
               x["undetermined"] = FromJson(it.undetermined);
               out.append(x);
             }
             return out;
           })
      .def("explanation_text", [](PyDecision& d) { return d.Explained().explanation_text(); })
      .def("explanation", [](PyDecision& d) { return FromJson(d.Explained().explanation()); });

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
        [](const std::string& path, const std::string& backend) { return MakeEngine(backend).CompileFile(path); },
        py::arg("path"), py::arg("backend") = "jit", py::call_guard<py::gil_scoped_release>());
  m.def("compile_string",
        [](const std::string& source, const std::string& name, const std::string& backend) {
          return MakeEngine(backend).CompileString(source, name);
        },
        py::arg("source"), py::arg("name") = "<string>", py::arg("backend") = "jit",
        py::call_guard<py::gil_scoped_release>());
}
