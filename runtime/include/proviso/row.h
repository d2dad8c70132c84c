// Proviso C++ SDK: the typed row API, for evaluating one row at a time at native speed.
//
//   proviso::Policy policy = engine.CompileFile("policies/cn/benchmark_policy.proviso");
//   const proviso::InputField degree = policy.FindInput("degree");         // resolved once
//   const int32_t serious = policy.EnumCode(degree, "serious");
//   const proviso::OutputField level = policy.FindOutput("level");
//   proviso::Row row(policy, {.as_of = "2020-09-01"});                // one per thread
//   for (...) {
//     row.SetEnum(degree, serious);  ...                                // no allocation, no hashing
//     row.Evaluate();
//     int64_t l = row.GetInt(level);
//   }
//
// Handles (InputField, OutputField, ObligationField) come from the Policy (FindInput, FindOutput,
// FindObligation) once and are valid for
// every Row of that policy. A Row holds the flat layout the native code reads and writes: setting a
// field is a store, evaluating is a call of the policy's native row, reading an output a load. The
// JSON Policy::Evaluate stays for convenience; a Row gives the same decisions (the test suite
// checks it against the interpreter).
#ifndef PROVISO_ROW_H_
#define PROVISO_ROW_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proviso/proviso.h"

namespace proviso {

// A text resolved once for one Row (Row::Text): setting it is a store.
struct TextId {
  const void* row = nullptr;
  int64_t id = -1;
};

// The status of an obligation's deadline, as in Obligation::status.
enum class ObligationStatus : int64_t { kNone, kPending, kMet, kOverdue, kEarly, kBreached, kUndetermined };

// What a Row decided for one obligation.
struct ObligationState {
  bool applies = false;
  bool violated = false;
  std::optional<int64_t> deadline;  // days since 1970-01-01, or seconds for an instant (ObligationField::instant)
  ObligationStatus status = ObligationStatus::kNone;
  bool applies_undetermined = false;     // facts not given leave open whether it applies
  bool violation_undetermined = false;   // ... or whether it is violated
};

// One row of facts and its decision, with the evaluation options prepared once (as_of, params,
// budget; as_of defaults to the moment the Row is made). Not thread-safe: use one Row per thread
// (rows are cheap: a few buffers). The policy's JIT back end only (Backend::kJit; a Row of an
// interpreted policy throws Error).
//
// Facts start as an empty JSON object would give them: fields with a default have it, every other
// field is not given (its fact is missing; a record's fields are each not given). Setters make a
// field known; SetUnknown makes it not given again; Clear() starts over. A setter given a handle
// of another kind or policy, an enum code out of range, a date beyond the calendar or a value the
// schema's constraints refuse throws FactsError naming the field, and leaves the row as it was.
class Row {
 public:
  struct State;  // the row's buffers and prepared options (runtime/src/row.cc)
  Row(const Policy& policy, const EvalOptions& options = {});
  ~Row();
  Row(Row&&) noexcept;
  Row& operator=(Row&&) noexcept;
  Row(const Row&) = delete;
  Row& operator=(const Row&) = delete;

  // Every field back to not given (or its default).
  void Clear();

  void SetBool(const InputField& f, bool v) { Put(f, FieldKind::kBool, v); }
  void SetInt(const InputField& f, int64_t v) { Put(f, FieldKind::kInt, v); }
  // A decimal in millionths (1.5 is 1500000).
  void SetDecimalMicros(const InputField& f, int64_t micros) { Put(f, FieldKind::kDecimal, micros); }
  // Days since 1970-01-01.
  void SetDate(const InputField& f, int64_t day) { Put(f, FieldKind::kDate, day); }
  // Seconds since 1970-01-01T00:00:00Z.
  void SetDateTime(const InputField& f, int64_t seconds) { Put(f, FieldKind::kDateTime, seconds); }
  // A duration of seconds (a day is 86,400 s) and months ("1 month 3 days" has both).
  void SetDuration(const InputField& f, int64_t seconds, int64_t months = 0) {
    if (months != 0 || f.policy != policy_ || f.kind != FieldKind::kDuration || f.check ||
        static_cast<uint64_t>(seconds) - static_cast<uint64_t>(f.min) > f.range) {
      return SetDurationChecked(f, seconds, months);
    }
    facts_[f.slot] = seconds;
    facts_[f.slot + 1] = 0;
    facts_[f.presence] = 1;
    facts_[f.fact_slot] = 0;
  }
  // An enum value by its code (Policy::EnumCode).
  void SetEnum(const InputField& f, int32_t code) { Put(f, FieldKind::kEnum, code); }
  // A set of enum values as a bitmask: bit k for the value of code k (enums of at most 64 values).
  void SetEnumSet(const InputField& f, uint64_t bits) { Put(f, FieldKind::kEnumSet, static_cast<int64_t>(bits)); }
  void SetText(const InputField& f, TextId t) {
    CheckText(t);
    Put(f, FieldKind::kText, t.id);
  }
  // Looks the text up (a hash): in a loop, resolve texts once with Text().
  void SetText(const InputField& f, std::string_view text);
  // An optional field's known absence (JSON null).
  void SetNone(const InputField& f) {
    if (f.policy != policy_ || !f.optional || f.check) return SetNoneChecked(f);
    for (int32_t k = 0; k <= f.slots; ++k) facts_[f.presence + k] = 0;
    facts_[f.fact_slot] = 0;
  }
  // The field is not given: what depends on it is undetermined.
  void SetUnknown(const InputField& f);
  // Any field, lists, sets and records included, from JSON as in Policy::Evaluate's facts (this
  // allocates). Throws FactsError with the field's path.
  void SetJson(const InputField& f, const nlohmann::json& value);
  // The id of `text` for this row's SetText, kept for the row's life.
  TextId Text(std::string_view text);

  // Decides. Throws EvaluationError as Policy::Evaluate (the message from the interpreter, with the
  // policy's file:line:col). Outputs and obligations read below are this evaluation's until the next.
  void Evaluate();

  // Whether the output was decided (false: it depends on facts not given).
  bool Determined(const OutputField& o) const {
    if (o.policy == policy_ && !tracked_) return true;
    return DeterminedChecked(o);
  }
  // For an optional output: whether it has a value.
  bool Present(const OutputField& o) const {
    if (o.policy == policy_ && !tracked_) return out_[o.presence] != 0;
    return PresentChecked(o);
  }
  // The output's value (of an optional output: its value, when Present). A getter of another kind,
  // of an undetermined output or of an absent optional one throws Error.
  bool GetBool(const OutputField& o) const { return Get(o, FieldKind::kBool) != 0; }
  int64_t GetInt(const OutputField& o) const { return Get(o, FieldKind::kInt); }
  int64_t GetDecimalMicros(const OutputField& o) const { return Get(o, FieldKind::kDecimal); }
  int64_t GetDate(const OutputField& o) const { return Get(o, FieldKind::kDate); }
  int64_t GetDateTime(const OutputField& o) const { return Get(o, FieldKind::kDateTime); }
  int32_t GetEnum(const OutputField& o) const { return static_cast<int32_t>(Get(o, FieldKind::kEnum)); }
  uint64_t GetEnumSet(const OutputField& o) const { return static_cast<uint64_t>(Get(o, FieldKind::kEnumSet)); }
  // Seconds and months of a duration output.
  std::pair<int64_t, int64_t> GetDuration(const OutputField& o) const;
  const std::string& GetText(const OutputField& o) const;
  ObligationState GetObligation(const ObligationField& ob) const {
    if (ob.policy != policy_) BadHandle();
    return ObligationAt(ob.slot);
  }

  // The whole decision of the last Evaluate (as Policy::Evaluate returns it; this allocates).
  Decision ToDecision() const;
  // The facts as set, as JSON facts for Policy::Evaluate (fields not given left out).
  nlohmann::json FactsJson() const;

  // ---- For headers generated by `proviso compile --emit=cpp` (not for hand-written code): the
  // row's flat facts and outputs at the layout whose hash the header holds (Error if the policy's
  // layout is another), and the helpers its setters and getters call.
  int64_t* RawFacts(uint64_t layout_hash);
  const int64_t* RawOutputs(uint64_t layout_hash) const;
  bool tracked() const { return tracked_; }  // the last evaluation followed facts not given
  void CheckText(TextId t) const {
    if (t.row != state_.get()) BadText();
  }
  const std::string& TextOf(int64_t id) const;
  // Throws Error when the output whose mask is at `mask` is undetermined.
  void CheckDetermined(const char* output, int32_t mask) const;
  [[noreturn]] static void OutOfRange(const char* field, int64_t value);
  [[noreturn]] static void Undetermined(const char* output);
  ObligationState ObligationAt(int32_t slot) const {
    const int64_t* at = out_ + slot;
    ObligationState st;
    if (!at[0]) return st;
    st.applies = true;
    st.violated = at[1] != 0;
    if (at[2]) st.deadline = at[3];
    st.status = static_cast<ObligationStatus>(at[4]);
    st.applies_undetermined = tracked_ && at[5] != 0;
    st.violation_undetermined = tracked_ && at[6] != 0;
    return st;
  }


 private:
  [[gnu::always_inline]] void Put(const InputField& f, FieldKind kind, int64_t v) {
    if (f.policy != policy_ || f.kind != kind || f.check ||
        static_cast<uint64_t>(v) - static_cast<uint64_t>(f.min) > f.range) {
      return PutChecked(f, kind, v);
    }
    facts_[f.slot] = v;
    facts_[f.presence] = 1;  // an optional's presence, else a scratch slot
    facts_[f.fact_slot] = 0;
  }
  void PutChecked(const InputField& f, FieldKind kind, int64_t v);
  void SetDurationChecked(const InputField& f, int64_t seconds, int64_t months);
  void SetNoneChecked(const InputField& f);
  [[noreturn]] static void BadText();
  [[noreturn]] static void BadHandle();
  bool DeterminedChecked(const OutputField& o) const;
  bool PresentChecked(const OutputField& o) const;
  [[gnu::always_inline]] int64_t Get(const OutputField& o, FieldKind kind) const {
    if (o.policy != policy_ || o.kind != kind || tracked_ || !out_[o.presence]) {
      return GetChecked(o, kind);
    }
    return out_[o.slot];
  }
  int64_t GetChecked(const OutputField& o, FieldKind kind) const;

  const void* policy_ = nullptr;
  int64_t* facts_ = nullptr;  // State's buffers, for the inline setters and getters
  int64_t* out_ = nullptr;
  bool tracked_ = false;      // the last evaluation followed facts not given (masks are in out_)
  std::unique_ptr<State> state_;
};

}  // namespace proviso

#endif  // PROVISO_ROW_H_
