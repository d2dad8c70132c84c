// Shared by the sdk_*_test.cc files (the public C++ SDK as an application uses it): a policy that
// uses most of the language, helpers, the fixture for suites run with both back ends, and the
// conversion of int64 batch columns to the widths the SDK takes.
#ifndef PROVISO_TESTS_UNIT_SDK_TEST_UTIL_H_
#define PROVISO_TESTS_UNIT_SDK_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"

namespace proviso {
namespace sdk_test {

using nlohmann::json;

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline constexpr const char* kExport = R"(policy export_control
  title "Export control"
  document "Export Control Law"

enum ExportDecision { permit, review, deny }
input { controlled_item: bool, approved: bool = false, destination: text, ended_on: date, deleted_on: date? }

param sanctioned: set<text> = {"XX", "YY"} cite "Annex 2"
param min_retention: duration = 30 days effective from 2000-01-01 until 2022-01-01 cite "Art. 40"
param min_retention: duration = 60 days effective from 2022-01-01 cite "Art. 40, amended"

output export: ExportDecision
output note: text?
output kept_for: duration

/// Everything not forbidden is permitted.
rule permit_by_default { then export = permit cite "Art. 1" }

/// "Controlled items shall not be exported without a licence."
rule deny_controlled exception to permit_by_default {
  when controlled_item and not approved
  then export = deny
  cite "Art. 23"
}

rule review_sanctioned exception to permit_by_default priority 1 {
  when destination in sanctioned
  then export = review
  cite "Art. 25"
}

rule sanctioned_note {
  when destination in sanctioned
  then note = "destination under sanctions"
}

rule kept { then kept_for = (deleted_on ?? as_of) - ended_on }

obligation keep_records {
  subject "exporter"
  must "keep the export records"
  deadline min_retention after ended_on
  violated when deleted_on is present and kept_for < min_retention
  cite "Art. 40"
}

obligation notify {
  subject "exporter"
  must not "export before notifying the authority"
  when export == review
  cite "Art. 7" of "Notification Rules"
}

test "controlled items are denied" {
  as of 2021-01-01
  given controlled_item = true
  given destination = "DE"
  given ended_on = 2020-12-01
  expect export = deny
}
test "a wrong expectation fails" {
  as of 2021-01-01
  given controlled_item = false
  given destination = "DE"
  given ended_on = 2020-12-01
  expect export = deny
}
)";

// `deleted` "": the record is still kept (known: null).
inline json ExportFacts(bool controlled, const std::string& dest, const std::string& deleted = "") {
  json f = {{"controlled_item", controlled}, {"destination", dest}, {"ended_on", "2021-03-01"}, {"deleted_on", nullptr}};
  if (!deleted.empty()) f["deleted_on"] = deleted;
  return f;
}

inline EvalOptions AsOf(const std::string& day, bool explain = false) {
  EvalOptions o;
  o.as_of = day;
  o.explain = explain;
  return o;
}

// Most SDK behaviour must be the same with both back ends: each such suite runs twice.
class SdkBackend : public ::testing::TestWithParam<Backend> {
 protected:
  Engine engine() const { return Engine(EngineOptions{GetParam()}); }
  Policy Compile(const std::string& text, const std::string& name = "<string>") const {
    return engine().CompileString(text, name);
  }
};

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kJit ? "Jit" : "Interpreter";
}

// Defines the suite `suite` as an SdkBackend and instantiates it for both back ends. Use it once
// per suite, in the file that has the suite's tests.
#define PROVISO_SDK_SUITE(suite)          \
  class suite : public SdkBackend {};     \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, \
                           ::testing::Values(Backend::kJit, Backend::kInterpreter), BackendName)

// The batch tests (sdk_batch_test.cc, sdk_batch_inputs_test.cc) write int64 columns. The SDK
// takes each column at its ColumnSpec::width (what numpy passes: uint8 bools, int8 categorical
// codes): narrow on the way in, widen on the way out.
inline int64_t ReadWidth(const void* col, const ColumnSpec& spec, int64_t r) {
  if (spec.width == 1) {
    return spec.kind == ColumnKind::kBool ? static_cast<const uint8_t*>(col)[r] : static_cast<const int8_t*>(col)[r];
  }
  if (spec.width == 4) return static_cast<const int32_t*>(col)[r];
  return static_cast<const int64_t*>(col)[r];
}

inline void WriteWidth(void* col, const ColumnSpec& spec, int64_t r, int64_t v) {
  if (spec.width == 1) static_cast<int8_t*>(col)[r] = static_cast<int8_t>(v);
  else if (spec.width == 4) static_cast<int32_t*>(col)[r] = static_cast<int32_t>(v);
  else static_cast<int64_t*>(col)[r] = v;
}

inline void EvaluateBatch64(const Policy& p, const BatchInput& in, BatchOutput& out, const EvalOptions& options = {}) {
  std::vector<ColumnSpec> ins = p.BatchInputs(), outs = p.BatchOutputs();
  std::vector<std::vector<uint8_t>> in_bytes(in.columns.size()), out_bytes(out.columns.size());
  BatchInput narrow = in;
  for (size_t k = 0; k < in.columns.size() && k < ins.size(); ++k) {
    in_bytes[k].resize(static_cast<size_t>(in.rows) * ins[k].width + 1);
    for (int64_t r = 0; r < in.rows; ++r) {
      WriteWidth(in_bytes[k].data(), ins[k], r, static_cast<const int64_t*>(in.columns[k])[r]);
    }
    narrow.columns[k] = in_bytes[k].data();
  }
  BatchOutput wide_out = out;
  for (size_t k = 0; k < out.columns.size() && k < outs.size(); ++k) {
    out_bytes[k].resize(static_cast<size_t>(in.rows) * outs[k].width + 1);
    wide_out.columns[k] = out_bytes[k].data();
  }
  p.EvaluateBatch(narrow, wide_out, options);
  out.dictionary = wide_out.dictionary;
  for (size_t k = 0; k < out.columns.size() && k < outs.size(); ++k) {
    for (int64_t r = 0; r < in.rows; ++r) {
      static_cast<int64_t*>(out.columns[k])[r] = ReadWidth(out_bytes[k].data(), outs[k], r);
    }
  }
}

}  // namespace sdk_test
}  // namespace proviso

#endif  // PROVISO_TESTS_UNIT_SDK_TEST_UTIL_H_
