// The reference interpreter over the IR: simple, obviously right, and the oracle the JIT is tested
// against. It also records explanation traces.
#ifndef PROVISO_COMPILER_INTERP_INTERP_H_
#define PROVISO_COMPILER_INTERP_INTERP_H_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace proviso::interp {

// An evaluation that cannot produce a whole decision: a rule conflict, no rule for an output, a
// `unique` table with two matches, division by zero ... `span` is where in the policy.
class EvalError : public std::runtime_error {
 public:
  EvalError(const std::string& message, Span span) : std::runtime_error(message), span_(span) {}
  Span span() const { return span_; }

 private:
  Span span_;
};

struct EvalOptions {
  int64_t as_of = 0;                      // day number of the evaluation date
  std::map<int, Value> param_overrides;   // by param index; values already type-checked
  bool explain = false;                   // record traces (slower)
};

// One name = value pair that a condition read, for explanations: `call.kept_for = 29 days`.
struct Binding {
  std::string expr;
  std::string value;
};

enum class RuleStatus { kApplied, kOverridden, kNotApplicable, kNotInForce, kLostOnPriority };

struct RuleTrace {
  int rule = -1;
  RuleStatus status = RuleStatus::kNotApplicable;
  std::optional<bool> condition;  // absent: the rule has no `when` or was not reached
  std::vector<Binding> bindings;
  int overridden_by = -1;
};

struct OutputTrace {
  int output = -1;
  int winner = -1;  // the rule whose value was taken, -1 when none
  std::vector<RuleTrace> rules;
};

struct ObligationResult {
  int obligation = -1;
  std::optional<int64_t> deadline;
  bool violated = false;
  // Explanation (filled when EvalOptions::explain).
  std::vector<Binding> bindings;
  std::vector<Binding> violation_bindings;
  int replaces = -1;  // the obligation it is an exception to, when that one also applied
};

struct Result {
  std::vector<Value> outputs;                  // by output index
  std::vector<ObligationResult> obligations;   // in declaration order, only those that apply
  std::vector<OutputTrace> trace;              // when explain
  std::vector<int> suppressed_obligations;     // general obligations replaced by an exception
};

// Evaluates `p` on `facts` (a record of the input type, as built by FactsFromJson). Throws EvalError;
// never returns a partial result. Thread-safe: all state is local to the call.
Result Evaluate(const ir::Program& p, const Value& facts, const EvalOptions& options);

// Evaluates one let on `facts` (used by tests that `expect` a let). Throws EvalError.
Value EvaluateLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let);

// The value of `param` in force on `as_of` (owned by `param`), or null when no version is in force.
const Value* ParamInForce(const ir::Param& param, int64_t as_of);

}  // namespace proviso::interp

#endif  // PROVISO_COMPILER_INTERP_INTERP_H_
