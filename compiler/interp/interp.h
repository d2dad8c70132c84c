// The reference interpreter over the IR: simple, obviously right, and the oracle the JIT is tested
// against. It also records explanation traces.
#ifndef PROVISO_COMPILER_INTERP_INTERP_H_
#define PROVISO_COMPILER_INTERP_INTERP_H_

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace proviso::interp {

// An evaluation that cannot produce a whole decision: a rule conflict, no rule for an output, a
// `unique` table with two matches, division by zero ... `span` is where in the policy.
struct Result;

class EvalError : public std::runtime_error {
 public:
  EvalError(const std::string& message, Span span) : std::runtime_error(message), span_(span) {}
  Span span() const { return span_; }
  // With EvalOptions::explain: what was decided before the failure (outputs in declaration order up
  // to the one that failed, whose trace holds the rules tried), for the explanation of a failure.
  std::shared_ptr<const Result> partial;

 private:
  Span span_;
};

struct EvalOptions {
  int64_t as_of = 0;                      // day number of the evaluation date
  int64_t time_of_day = 0;                // seconds into `as_of` (UTC) of the evaluation instant `now`
  std::map<int, Value> param_overrides;   // by param index; values already type-checked
  bool explain = false;                   // record traces (slower)
  // Collection elements the loops may visit (compiler/support/budget.h): 0 the default, < 0 no limit.
  int64_t budget = 0;
  // Test coverage: when set, each table's rows that a call matched are marked (table_rows[t][r];
  // index rows.size() is the default row, when no row matched and the default gave the result).
  std::vector<std::vector<bool>>* table_rows = nullptr;

  // The evaluation instant, seconds since 1970-01-01T00:00:00Z.
  int64_t now() const { return as_of * kSecondsPerDay + time_of_day; }
  // Sets the evaluation instant (and `as_of`, its UTC date).
  void set_now(int64_t seconds) {
    as_of = DayOf(seconds);
    time_of_day = seconds - as_of * kSecondsPerDay;
  }
};

// One name = value pair that a condition read, for explanations: `call.kept_for = 29 days`.
struct Binding {
  std::string expr;
  std::string value;
};

// kUndetermined: whether the rule applies depends on facts not given.
enum class RuleStatus { kApplied, kOverridden, kNotApplicable, kNotInForce, kLostOnPriority, kUndetermined };

struct RuleTrace {
  int rule = -1;
  RuleStatus status = RuleStatus::kNotApplicable;
  std::optional<bool> condition;  // absent: the rule has no `when`, was not reached, or its condition is unknown
  std::vector<Binding> bindings;
  int overridden_by = -1;
};

struct OutputTrace {
  int output = -1;
  int winner = -1;  // the rule whose value was taken, -1 when none
  std::vector<RuleTrace> rules;
};

// An obligation that applies, or may apply (its `when` depends on facts not given).
struct ObligationResult {
  int obligation = -1;
  std::optional<int64_t> deadline;  // a day number, or seconds when the obligation's deadline is an instant
  ir::DeadlineStatus status = ir::DeadlineStatus::kNone;  // kUndetermined: it depends on facts not given
  bool violated = false;                 // the facts show a breach
  bool applies_undetermined = false;     // whether it applies depends on facts not given
  bool violation_undetermined = false;   // whether it is violated depends on facts not given
  std::vector<int> missing;              // the facts (ids) that would decide what is undetermined
  // Explanation (filled when EvalOptions::explain).
  std::vector<Binding> bindings;
  std::vector<Binding> violation_bindings;
  std::vector<int> replaces;  // the obligations it is an exception to that also applied
};

// An obligation that does not apply, for explanations: its `when` is false (with what it read), or
// it is not in force on the law date.
struct NotApplied {
  int obligation = -1;
  bool not_in_force = false;
  std::vector<Binding> bindings;
};

// What was decided for one element of a `for each`.
struct ItemResult {
  int scope = -1;
  int index = -1;                              // in the collection, from 0
  Value key;                                   // the `key`, or the index as an int
  int64_t law = 0;                             // the day whose law decided
  std::vector<Value> outputs;                  // in the order of ir::Scope::outputs
  std::vector<ObligationResult> obligations;   // in declaration order, only those that apply
  std::vector<int> suppressed_obligations;
  std::vector<NotApplied> not_applied;         // when explain
  std::vector<OutputTrace> trace;              // when explain
};

struct Result {
  // By output index (none for an output of a `for each`); Value::Unknown when it depends on facts
  // not given.
  std::vector<Value> outputs;
  std::vector<ObligationResult> obligations;   // in declaration order, only those that apply
  std::vector<OutputTrace> trace;              // when explain
  std::vector<int> suppressed_obligations;     // general obligations replaced by an exception
  std::vector<NotApplied> not_applied;         // when explain: the others that do not apply
  std::vector<ItemResult> items;               // each `for each` in order, each element in order
  int64_t law = 0;                             // the day whose law decided (`law as of`, else as_of)
};

// Evaluates `p` on `facts` (a record of the input type, as built by FactsFromJson; fields may be
// unknown). Throws EvalError; never returns a partial result: what depends on facts not given is
// undetermined (an unknown output, an obligation that may apply or may be violated), and says which
// facts would decide it. Thread-safe: all state is local to the call.
Result Evaluate(const ir::Program& p, const Value& facts, const EvalOptions& options);

// Every fact (ids, sorted) that something undetermined in `r` waits for.
std::vector<int> MissingFacts(const Result& r);

// Evaluates one let of the policy (not of a `for each`) on `facts` (used by tests that `expect` a
// let). Throws EvalError.
Value EvaluateLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let);
// The value of let `let` of a `for each` for the element whose key is `key`: nullopt when no
// element has that key. Throws EvalError.
std::optional<Value> EvaluateItemLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let,
                                     const Value& key);

// The value of a constant expression (no facts, params, lets or outputs in it), by the reference
// semantics. Throws EvalError.
Value EvaluateConstant(const ir::Program& p, const ir::Expr& e);

// The value of `param` in force on `as_of` (owned by `param`), or null when no version is in force.
const Value* ParamInForce(const ir::Param& param, int64_t as_of);

}  // namespace proviso::interp

#endif  // PROVISO_COMPILER_INTERP_INTERP_H_
