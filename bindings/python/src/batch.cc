// _proviso: batch evaluation. evaluate_batch (columns in, columns out, masks of missing facts) and
// evaluate_rows (the row-by-row path, for policies whose inputs cannot be batch columns).

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "module_internal.h"

namespace proviso::python {

namespace {

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

}  // namespace

namespace {

// Between two chunks, with the GIL held: a pending signal (Ctrl-C) raises its Python exception
// (KeyboardInterrupt), then `progress` (if not None) is told how many of the rows are done; an
// exception it raises stops the evaluation too.
void BetweenChunks(const py::object& progress, int64_t done, int64_t rows) {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (!progress.is_none()) progress(done, rows);
}

// "row N: ..." of a message, N moved on by `first_row`; the message as it is otherwise.
std::string RebaseRowPrefix(const std::string& message, int64_t first_row) {
  if (message.rfind("row ", 0) != 0) return message;
  size_t end = message.find(": ", 4);
  if (end == std::string::npos || end == 4) return message;
  for (size_t i = 4; i < end; ++i) {
    if (message[i] < '0' || message[i] > '9') return message;
  }
  return "row " + std::to_string(std::stoll(message.substr(4, end - 4)) + first_row) + message.substr(end);
}

// An error of the chunk whose first row is `first_row`, rethrown with rows counted from the
// frame's start: "row N: " messages, and a bad cell's "column[N]" path (and "`column[N]`" in its
// message), as Policy::EvaluateBatch names them.
[[noreturn]] void RethrowRebased(int64_t first_row) {
  try {
    throw;
  } catch (const proviso::FactsError& e) {
    if (first_row == 0) throw;
    std::string path = e.path(), message = RebaseRowPrefix(e.what(), first_row);
    size_t open = path.rfind('[');
    if (open != std::string::npos && path.size() > open + 2 && path.back() == ']') {
      std::string digits = path.substr(open + 1, path.size() - open - 2);
      if (digits.find_first_not_of("0123456789") == std::string::npos) {
        std::string rebased = path.substr(0, open) + "[" + std::to_string(std::stoll(digits) + first_row) + "]";
        size_t at = message.find("`" + path + "`");
        if (at != std::string::npos) message.replace(at + 1, path.size(), rebased);
        path = rebased;
      }
    }
    throw proviso::FactsError(message, path);
  } catch (const proviso::EvaluationError& e) {
    if (first_row == 0) throw;
    proviso::EvaluationError rebased(RebaseRowPrefix(e.what(), first_row), e.location());
    if (!e.explanation_text().empty()) rebased.set_explanation(e.explanation(), e.explanation_text());
    throw rebased;
  }
}

// The codes of one chunk of a text column recoded into the texts that chunk uses, when its
// dictionary is much longer than the chunk (a column of nearly distinct texts): the SDK maps every
// text of a dictionary it is given, so each chunk given the whole would cost the whole. Codes out
// of the dictionary (absent rows' -1) are kept as they are.
struct ChunkTexts {
  std::vector<int64_t> codes;
  std::vector<std::string> texts;
  std::vector<int64_t> local_of;  // by code of the whole dictionary: its code in `texts`, or -1

  void Recode(const int64_t* column, int64_t rows, const std::vector<std::string>& dictionary) {
    if (local_of.empty()) local_of.assign(dictionary.size(), -1);
    for (int64_t g : global_) local_of[g] = -1;  // the previous chunk's entries only, not the dictionary
    global_.clear();
    texts.clear();
    codes.resize(rows);
    const int64_t size = static_cast<int64_t>(dictionary.size());
    for (int64_t r = 0; r < rows; ++r) {
      int64_t g = column[r];
      if (g < 0 || g >= size) {
        codes[r] = g;
        continue;
      }
      if (local_of[g] < 0) {
        local_of[g] = static_cast<int64_t>(texts.size());
        texts.push_back(dictionary[g]);
        global_.push_back(g);
      }
      codes[r] = local_of[g];
    }
  }

 private:
  std::vector<int64_t> global_;  // the global codes this chunk uses
};

// Text output codes of a chunk (codes into `chunk.dictionary`) turned into codes of `dictionary`,
// the frame's, which gains the texts it did not have (`code_of`: their codes there).
void MergeTextOutputs(const std::vector<proviso::ColumnSpec>& specs, proviso::BatchOutput& chunk, int64_t rows,
                      std::vector<std::string>& dictionary, std::unordered_map<std::string, int64_t>& code_of) {
  if (chunk.dictionary.empty()) return;
  std::vector<int64_t> global(chunk.dictionary.size());
  for (size_t k = 0; k < chunk.dictionary.size(); ++k) {
    auto [it, fresh] = code_of.emplace(chunk.dictionary[k], static_cast<int64_t>(dictionary.size()));
    if (fresh) dictionary.push_back(chunk.dictionary[k]);
    global[k] = it->second;
  }
  const int64_t size = static_cast<int64_t>(global.size());
  for (size_t c = 0; c < specs.size(); ++c) {
    if (specs[c].kind != proviso::ColumnKind::kText) continue;
    int64_t* col = static_cast<int64_t*>(chunk.columns[c]);  // text columns are int64
    for (int64_t r = 0; r < rows; ++r) {
      if (col[r] >= 0 && col[r] < size) col[r] = global[col[r]];  // (masked rows' codes mean nothing)
    }
  }
}

}  // namespace

// evaluate_batch(policy, rows, columns, present, dictionaries, as_of, params, known, budget,
//                chunk_rows, progress)
//   -> (output columns, presence masks or None, text dictionary, missing masks or None)
// `columns` are arrays of each column's element type (ColumnSpec::width; converted only if they are
// not C-contiguous of that type), `present` uint8 masks or None, `dictionaries` lists of texts or
// None, `known` (optional) uint8 masks or None (0: the cell is a fact not given), all in
// BatchInputs() order. With cells not known, the result's fourth item is, per output column, a
// (rows, Policy.missing_words) uint64 array of the missing facts (bit k: Policy.facts[k]).
// The rows go to Policy::EvaluateBatch `chunk_rows` at a time (0: all at once), GIL released; between
// chunks a signal (Ctrl-C) raises KeyboardInterrupt and `progress(done_rows, rows)` is called (if
// not None); either stops the evaluation with its exception (no partial result is returned).
// Errors name rows counted from the frame's first, whatever the chunk.
py::tuple EvaluateBatch(const proviso::Policy& policy, int64_t rows, const py::list& columns,
                        const py::list& present, const py::list& dictionaries,
                        const std::optional<std::string>& as_of,
                        const std::map<std::string, std::string>& params, const py::object& known, int64_t budget,
                        int64_t chunk_rows, const py::object& progress) {
  std::vector<proviso::ColumnSpec> in_specs = policy.BatchInputs();
  std::vector<proviso::ColumnSpec> out_specs = policy.BatchOutputs();
  size_t n = in_specs.size();
  if (columns.size() != n || present.size() != n || dictionaries.size() != n) {
    throw proviso::Error("evaluate_batch: expected " + std::to_string(n) + " columns, masks and dictionaries");
  }
  if (rows < 0) throw proviso::Error("evaluate_batch: rows must not be negative");
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
  const int words = unknowns ? policy.MissingWords() : 0;
  OutputBuffers buffers(out_specs, rows, words);
  proviso::EvalOptions options = Options(as_of, params, false, budget);
  const int64_t step = chunk_rows > 0 && chunk_rows < rows ? chunk_rows : rows;
  if (step == rows) {  // one chunk: the SDK's own batch, as it is
    {
      py::gil_scoped_release release;
      policy.EvaluateBatch(in, buffers.out, options);
    }
    BetweenChunks(progress, rows, rows);
    return buffers.ToPython();
  }
  std::vector<ChunkTexts> texts(n);
  std::unordered_map<std::string, int64_t> code_of;
  std::vector<std::string> dictionary;
  for (int64_t start = 0; start < rows; start += step) {
    const int64_t m = std::min(step, rows - start);
    proviso::BatchInput part;
    part.rows = m;
    for (size_t i = 0; i < n; ++i) {
      const auto* column = static_cast<const char*>(in.columns[i]);
      part.columns.push_back(column + start * in_specs[i].width);
      part.present.push_back(in.present[i] ? in.present[i] + start : nullptr);
      part.dictionaries.push_back(in.dictionaries[i]);
      if (in.dictionaries[i] && static_cast<int64_t>(in.dictionaries[i]->size()) > 2 * m) {
        texts[i].Recode(static_cast<const int64_t*>(in.columns[i]) + start, m, *in.dictionaries[i]);
        part.columns.back() = texts[i].codes.data();
        part.dictionaries.back() = &texts[i].texts;
      }
    }
    for (const uint8_t* k : in.known) part.known.push_back(k ? k + start : nullptr);
    proviso::BatchOutput out;
    for (size_t c = 0; c < out_specs.size(); ++c) {
      out.columns.push_back(static_cast<char*>(buffers.out.columns[c]) + start * out_specs[c].width);
      out.present.push_back(buffers.out.present[c] ? buffers.out.present[c] + start : nullptr);
      if (words > 0) out.missing.push_back(buffers.out.missing[c] + start * words);
    }
    {
      py::gil_scoped_release release;
      try {
        policy.EvaluateBatch(part, out, options);
      } catch (...) {
        RethrowRebased(start);
      }
      MergeTextOutputs(out_specs, out, m, dictionary, code_of);
    }
    BetweenChunks(progress, start + m, rows);
  }
  buffers.out.dictionary = std::move(dictionary);
  return buffers.ToPython();
}

namespace {

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

}  // namespace

// evaluate_rows(policy, facts, as_of, params, budget, chunk_rows, progress) -> the same as evaluate_batch.
// The row-by-row path, for policies whose inputs cannot be batch columns (sets, lists): each row's
// facts (a Python mapping) go through Policy::Evaluate, and its decision is written in the batch
// output encoding. A chunk of rows at a time (`chunk_rows`, 0: kRowChunk) is converted to JSON
// (with the GIL), then evaluated on the machine's cores (without it); between chunks, a signal
// (Ctrl-C) raises KeyboardInterrupt and `progress(done_rows, rows)` is called (if not None), either
// stopping the evaluation. Errors say which row ("row N: "); the first one is raised.
// Outputs and obligations decided for each element of a `for each` cannot be row columns: a row
// whose decision has one is an error.
py::tuple EvaluateRows(const proviso::Policy& policy, const py::sequence& facts,
                       const std::optional<std::string>& as_of,
                       const std::map<std::string, std::string>& params, int64_t budget, int64_t chunk_rows,
                       const py::object& progress) {
  std::vector<proviso::ColumnSpec> out_specs = policy.BatchOutputs();
  const int64_t step = chunk_rows > 0 ? chunk_rows : kRowChunk;
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
  proviso::EvalOptions options = Options(as_of, params, false, budget);
  std::map<std::string, int64_t> dict;
  std::vector<std::string> outputs = policy.output_names();
  const std::vector<ObligationColumns> obligations = ObligationColumnsOf(out_specs, outputs.size());
  const int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  std::vector<json> inputs;
  std::vector<std::vector<DateTimeFact>> datetimes;
  std::vector<proviso::Decision> decisions;
  if (rows == 0) BetweenChunks(progress, 0, 0);
  for (int64_t start = 0; start < rows; start += step) {
    // A row that cannot be converted fails after the rows before it are evaluated: one of them may
    // fail first.
    std::exception_ptr unconvertible;
    inputs.clear();
    datetimes.clear();
    for (int64_t r = start; r < std::min(start + step, rows); ++r) {
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
    {
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
    }
    if (unconvertible) std::rethrow_exception(unconvertible);
    BetweenChunks(progress, start + n, rows);
  }
  if (!any_undetermined) buffers.missing.clear();  // everything decided: no masks, as a batch without unknowns
  return buffers.ToPython();
}

}  // namespace proviso::python
