// Policy.evaluator(): a prepared evaluator over the typed row API (proviso/row.h). Facts whose values
// are plain Python bool, int and str (enum names, texts, "YYYY-MM-DD" dates) are written straight
// into the row; any other value, and any error, takes the JSON path (Policy.evaluate's), so that the
// two give the same decisions and the same errors.
#include <memory>
#include <mutex>

#pragma GCC visibility push(default)
#include "proviso/row.h"
#pragma GCC visibility pop

#include "bindings/python/src/module_internal.h"

namespace proviso::python {

namespace {

// Days since 1970-01-01 of "YYYY-MM-DD" (a valid calendar date), else nullopt.
std::optional<int64_t> Day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const int from[3] = {0, 5, 8}, len[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < len[k]; ++i) {
      char c = s[from[k] + i];
      if (c < '0' || c > '9') return std::nullopt;
      v[k] = v[k] * 10 + (c - '0');
    }
  }
  int y = v[0], m = v[1], d = v[2];
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap)) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  y -= m <= 2;
  const int era = y / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + doe - 719468;
}

struct Field {
  InputField handle;
  py::dict codes;  // enum fields: name -> code
};

}  // namespace

// One prepared evaluator: the options parsed once, a typed row, the policy's top-level fields.
// Thread-safe (a lock around the row); for a loop in one thread.
class RowEvaluator {
 public:
  RowEvaluator(const Policy& policy, const std::optional<std::string>& as_of,
               const std::map<std::string, std::string>& params, int64_t budget)
      : policy_(policy), options_(Options(as_of, params, false, budget)), row_(policy, options_) {
    for (const std::string& path : policy.Facts()) {
      if (path.find('.') != std::string::npos || path.find('[') != std::string::npos) continue;
      Field f{policy.FindInput(path), py::dict()};
      if (f.handle.kind == FieldKind::kEnum) {
        std::vector<std::string> values = policy.EnumValues(f.handle);
        for (size_t code = 0; code < values.size(); ++code) f.codes[py::str(values[code])] = code;
      }
      names_[py::str(path)] = fields_.size();
      fields_.push_back(std::move(f));
    }
  }

  std::unique_ptr<PyDecision> Evaluate(py::handle facts) {
    // The row is one thread's at a time. Wait for it without the GIL: the thread that has it
    // releases the GIL while it evaluates, and needs it back to finish.
    std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
    {
      py::gil_scoped_release release;
      lock.lock();
    }
    if (py::isinstance<py::dict>(facts) && Fill(py::reinterpret_borrow<py::dict>(facts))) {
      bool decided = false;
      {
        py::gil_scoped_release release;
        try {
          row_.Evaluate();
          decided = true;
        } catch (const Error&) {
          // The JSON path gives the error (the same one): below.
        }
      }
      if (decided) {
        // The facts are kept as given (a shallow copy: their values are immutable bool, int, str),
        // and turned into JSON only if the decision is explained or pickled.
        auto d = std::make_unique<PyDecision>(PyDecision{policy_, json(), options_, row_.ToDecision(), {},
                                                         py::reinterpret_steal<py::object>(PyDict_Copy(facts.ptr()))});
        return d;
      }
    }
    lock.unlock();
    // The JSON path: values of other types, and every error.
    Converter conv = Converter::Make();
    std::vector<DateTimeFact> datetimes;
    conv.datetimes = &datetimes;
    auto d = std::make_unique<PyDecision>(PyDecision{policy_, ToJson(facts, "", conv), options_, {}, std::nullopt, {}});
    py::gil_scoped_release release;
    d->decision = EvaluateFacts(policy_, d->facts, datetimes, d->options);
    return d;
  }

 private:
  // Writes the facts into the row; false when a value is not of a plain type (the JSON path decides).
  bool Fill(const py::dict& facts) {
    row_.Clear();
    for (auto [key, value] : facts) {
      PyObject* at = PyDict_GetItem(names_.ptr(), key.ptr());  // borrowed; null: not a top-level field
      if (!at) return false;
      const Field& f = fields_[PyLong_AsSsize_t(at)];
      PyObject* v = value.ptr();
      try {
        switch (f.handle.kind) {
          case FieldKind::kBool:
            if (!PyBool_Check(v)) return false;
            row_.SetBool(f.handle, v == Py_True);
            break;
          case FieldKind::kInt: {
            if (!PyLong_CheckExact(v)) return false;
            int overflow = 0;
            long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (overflow) return false;
            row_.SetInt(f.handle, x);
            break;
          }
          case FieldKind::kEnum: {
            if (!PyUnicode_CheckExact(v)) return false;
            PyObject* code = PyDict_GetItem(f.codes.ptr(), v);
            if (!code) return false;
            row_.SetEnum(f.handle, static_cast<int32_t>(PyLong_AsLong(code)));
            break;
          }
          case FieldKind::kText: {
            if (!PyUnicode_CheckExact(v)) return false;
            Py_ssize_t size = 0;
            const char* text = PyUnicode_AsUTF8AndSize(v, &size);
            if (!text) {
              PyErr_Clear();
              return false;
            }
            row_.SetText(f.handle, std::string_view(text, static_cast<size_t>(size)));
            break;
          }
          case FieldKind::kDate: {
            if (!PyUnicode_CheckExact(v)) return false;
            Py_ssize_t size = 0;
            const char* text = PyUnicode_AsUTF8AndSize(v, &size);
            std::optional<int64_t> day = text ? Day(std::string_view(text, static_cast<size_t>(size))) : std::nullopt;
            if (!text) PyErr_Clear();
            if (!day) return false;
            row_.SetDate(f.handle, *day);
            break;
          }
          default: return false;
        }
      } catch (const Error&) {
        return false;  // refused: the JSON path says why
      }
    }
    return true;
  }

  Policy policy_;
  EvalOptions options_;
  Row row_;
  std::mutex mu_;
  py::dict names_;  // top-level field name -> index in fields_
  std::vector<Field> fields_;
};

void RegisterRowEvaluator(py::module_& m) {
  py::class_<RowEvaluator>(m, "RowEvaluator")
      .def(py::init<const Policy&, const std::optional<std::string>&, const std::map<std::string, std::string>&,
                    int64_t>(),
           py::arg("policy"), py::arg("as_of") = py::none(),
           py::arg("params") = std::map<std::string, std::string>{}, py::arg("budget") = 0)
      .def("evaluate", &RowEvaluator::Evaluate, py::arg("facts"));
}

}  // namespace proviso::python
