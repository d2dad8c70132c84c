// The reference interpreter's evaluator, private to compiler/interp, defined by concern:
//   interp.cc          the run: params, the frames of `for each`, the memo of lets and outputs, the API
//   expressions.cc     expressions: operators, arithmetic, comparisons, quantifiers, builtins
//   default_logic.cc   outputs: rules, exceptions, priorities, alternatives and conflicts
//   obligations.cc     obligations, their exceptions, deadlines and statuses
//   tables.cc          decision tables
//   explain.cc         the values an explanation shows
//
// Unknown facts (docs/language.md §6, "Unknown facts"): a value may be Value::Unknown, naming the
// facts it waits for. Strict operators are unknown when an operand is (and then compute nothing, so
// fail on nothing); `and`, `or`, `any`, `all` are Kleene's, deciding when a known operand decides;
// `if`, `match`, `??` and a table are unknown when what chooses is; a rule whose condition is unknown
// *may* apply (Outcome). The JIT implements the same rules (compiler/codegen), and
// tests/differential holds them equal.
#ifndef PROVISO_COMPILER_INTERP_EVALUATOR_H_
#define PROVISO_COMPILER_INTERP_EVALUATOR_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/interp/interp.h"

namespace proviso::interp::internal {

using ast::BinOp;
using ir::Expr;
using ir::Op;
using Missing = std::vector<int>;  // fact ids, sorted and unique

// An unknown value waiting for the facts of the unknown ones among `values` (at least one is).
Value UnknownOf(std::initializer_list<const Value*> values);
// An unknown value waiting for the facts of every unknown part of `a` and `b` (HasUnknownPart).
Value DeepUnknownOf(const Value& a, const Value& b);
// Kleene's `and` and `not` on bool or unknown values.
Value KleeneAnd(const Value& a, const Value& b);
Value KleeneOr(const Value& a, const Value& b);
Value KleeneNot(const Value& a);
// A bool known to be true (false for an unknown one).
inline bool IsTrue(const Value& v) { return !v.is_unknown() && v.b(); }
inline bool IsFalse(const Value& v) { return !v.is_unknown() && !v.b(); }

class Evaluator {
 public:
  Evaluator(const ir::Program& p, const Value& facts, const EvalOptions& o);

  Result Run();
  // The global law date and the params in force on it. Evaluations start here.
  void Init();
  Value LetValue(int i);
  // The value of let `let` for the element of its scope whose key is `key`.
  std::optional<Value> ItemLet(int let, const Value& key);
  // A constant expression: nothing but its own operands.
  Value Constant(const Expr& e) { return Eval(e); }

  // What a rule, or a group of sibling rules, yields: nothing; a value; *maybe* a value (whether it
  // applies depends on the facts `cond`); or a conflict (two siblings that apply with different
  // values: an error if nothing above overrides it). A value may itself be unknown.
  struct Outcome {
    enum class Kind { kNone, kValue, kMaybe, kConflict };
    Kind kind = Kind::kNone;
    Value value;
    int rule = -1;     // the rule whose value it is (-1 when undetermined between several)
    int sibling = -1;  // in a group: the sibling that gave it
    Missing cond;      // kMaybe: the facts that decide whether it applies
    std::string conflict;  // kConflict: the message
    Span conflict_span;
  };

 private:
  // ---------------------------------------------------------------- the run (interp.cc)

  // The element being decided: its scope, index, value, key and law date (scope -1: the policy).
  struct Frame {
    int scope = -1;
    int index = -1;
    Value element;
    Value key;
    int64_t law = 0;
  };

  // `with_key`: also evaluate the element's key (an item of the decision; not for `late of t`).
  void Enter(int scope, int index, const Value& element, bool with_key = true);
  void RunInto(Result& r);
  void Leave();
  void CheckKeys(const ir::Scope& sc, const std::vector<ItemResult>& items, size_t first);
  // A value that must be known to go on (a key, a law date, a collection to decide element by
  // element): an error naming the facts it waits for when it is not.
  const Value& Known(const Value& v, const Expr& at, const std::string& what);
  const Value& KnownCollection(const Value& v, const Expr& at, const std::string& what);
  Value Param(const Expr& e);

  // Evaluates `f` in the policy's own frame (a name of the policy read while deciding an element).
  template <typename F>
  Value Global(F f) {
    if (frame_.scope < 0) return f();
    Frame saved = frame_;
    Leave();
    struct Restore {
      Evaluator* self;
      Frame* saved;
      ~Restore() { self->frame_ = std::move(*saved); }
    } restore{this, &saved};
    return f();
  }

  // Memoised evaluation of let or output `i` (at most once per evaluation and element).
  template <typename F>
  Value Memo(int i, std::vector<std::optional<Value>>& memo, std::vector<int>& state, F compute,
             const std::string& name, Span span) {
    if (state[i] == 2) return *memo[i];
    if (state[i] == 1) throw EvalError(fmt::format("`{}` depends on itself", name), span);
    state[i] = 1;
    memo[i] = compute();
    state[i] = 2;
    return *memo[i];
  }

  [[noreturn]] void Fail(const Expr& e, const std::string& message) { throw EvalError(message, e.span()); }
  std::string Src(const Expr& e) { return e.source ? ast::ToSource(*e.source) : "?"; }
  // "`a`, `b`": the paths of facts, for messages.
  std::string FactNames(const Missing& m) const;

  // ---------------------------------------------------------------- expressions (expressions.cc)

  Value Eval(const Expr& e);
  Value SetOp(const Expr& e);
  bool RankLess(const Value& a, const Value& b, const Type* t) const;
  std::vector<int> MatchingRows(const Expr& e, const ir::Table& t, Missing& maybe);
  Value TableInFrame(const Expr& e);
  // A call of a function or table with its arguments, where it was made (law date, element): its
  // value is the same at each such call of one evaluation, so it is computed once (calls that call
  // the same function twice at every level would otherwise take exponential time).
  struct CallKey {
    int op;
    int index;
    int64_t law;
    int scope;
    int element;
    std::vector<Value> args;
    bool operator<(const CallKey& o) const {
      auto mine = std::tie(op, index, law, scope, element);
      auto theirs = std::tie(o.op, o.index, o.law, o.scope, o.element);
      if (mine != theirs) return mine < theirs;
      for (size_t i = 0; i < args.size() && i < o.args.size(); ++i) {
        if (int c = Compare(args[i], o.args[i]); c != 0) return c < 0;
      }
      return args.size() < o.args.size();
    }
  };
  std::map<CallKey, Value> calls_;

  // Evaluates the arguments of the call `e` (a function's or a table's) into a frame of locals of
  // their own, runs `f` in it (once per evaluation for the same arguments: CallKey), and restores
  // the caller's locals.
  template <typename F>
  Value InFrame(const Expr& e, F f) {
    std::vector<Value> frame(locals_.size());
    for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Eval(*e.args[i]);
    CallKey key{static_cast<int>(e.op), e.index, frame_.law, frame_.scope, frame_.index,
                std::vector<Value>(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(e.args.size()))};
    if (auto known = calls_.find(key); known != calls_.end()) return known->second;
    std::swap(frame, locals_);
    struct Restore {
      Evaluator* self;
      std::vector<Value>* frame;
      ~Restore() { std::swap(*frame, self->locals_); }
    } restore{this, &frame};
    Value v = f();
    calls_.emplace(std::move(key), v);
    return v;
  }
  // Explanations (explain.cc): which rows of a table call matched and which the hit policy chose;
  // which element decided a quantifier; a value, long collections summarised.
  std::string TableDetail(const Expr& e);
  std::string QuantDetail(const Expr& e);
  std::string Shown(const Value& v, const Type* t);
  Value Quant(const Expr& e);
  Value ItemOf(const Expr& e);
  Value Builtin(const Expr& e);
  Value Arith(const Expr& e, const Value& a, const Value& b);
  bool CompareOp(const Expr& e, BinOp op, const Value& a, const Value& b);
  Value Shift(const Expr& e, const Value& base, Duration d, int sign);
  int64_t Add(const Expr& e, int64_t a, int64_t b);
  int64_t Sub(const Expr& e, int64_t a, int64_t b);
  int64_t Mul(const Expr& e, int64_t a, int64_t b);
  [[noreturn]] void WorkingDaysOutside(const Expr& e, const WorkingCalendar& cal, int64_t day, int64_t steps);
  // An expression node standing for `+` at the place of `e` (for sums).
  const Expr& AddExpr(const Expr& e);
  static Value Zero(const Type* t);
  // The least (`better` kLt) or greatest (kGt) of non-empty known `xs`.
  Value Best(const Expr& e, const std::vector<Value>& xs, BinOp better);

  // ---------------------------------------------------------------- default logic (default_logic.cc)

  using RuleMemo = std::map<int, Outcome>;

  Value Output(int o);
  Outcome Choose(const std::vector<int>& rules, int parent, int output, RuleMemo& memo);
  Outcome RuleOutcome(int r, int output, RuleMemo& memo);
  Outcome DecideRule(int r, int output, RuleMemo& memo);
  // `a` where it applies, else `b` (an exception over its rule, a priority over the ones below).
  static Outcome Else(Outcome a, Outcome b);
  // Two siblings of one priority: alternatives when they agree, a conflict when they differ.
  Outcome Join(Outcome a, Outcome b, int parent, int output);
  std::string ConflictMessage(const Outcome& a, const Outcome& b, int parent, int output);
  RuleTrace& Trace(int output, int rule);

  // ---------------------------------------------------------------- obligations (obligations.cc)

  void Obligations(const std::vector<int>& which, std::vector<ObligationResult>& out, std::vector<int>& suppressed,
                   std::vector<NotApplied>& not_applied);
  // Whether an exception below obligation `i` applies (Kleene's `or` over them).
  Value Replaced(int i, const std::vector<Value>& applies, std::map<int, Value>& memo);
  // The deadline and status of an obligation that applies (or may); returns whether the status is
  // a breach (unknown when the status is undetermined). `stated` is its own `violated when`.
  Value Deadline(const ir::Obligation& o, const std::optional<Value>& stated, ObligationResult& res);
  RecurringDue RecurringPeriods(const Expr& at, Duration period, int64_t first, int64_t as_of);

  // ---------------------------------------------------------------- tables (tables.cc)

  Value Table(const Expr& e);
  Value CellMatches(const Expr& at, const ir::Cell& c, const Value& x);

  // ---------------------------------------------------------------- explanations (explain.cc)

  std::optional<bool> SafeBool(const Expr& e);
  std::vector<Binding> Bindings(const Expr& e);
  void CollectBindings(const Expr& e, std::vector<Binding>& out);
  std::string ParamVersionText(int i);
  static bool IsFactPath(const Expr& e);

  // ---------------------------------------------------------------- state

  const ir::Program& p_;
  const Value& facts_;
  const EvalOptions& opts_;
  int64_t budget_left_;  // collection elements the loops may still visit (EvalOptions::budget)
  bool explain_ = false;  // recording traces (opts_.explain; off while deciding `late of t`)
  std::vector<Value> params_;
  std::vector<int> param_missing_;
  std::vector<std::optional<Value>> lets_;
  std::vector<std::optional<Value>> outputs_;
  std::vector<int> output_state_;
  std::vector<int> let_state_;
  std::vector<Value> locals_;
  std::vector<OutputTrace> traces_;
  Expr add_expr_;
  Frame frame_;
  int64_t global_law_ = 0;
  // The memo of the current element's lets and outputs (by let / output index).
  std::vector<std::optional<Value>> item_lets_, item_outputs_;
  std::vector<int> item_let_state_, item_output_state_;
};

}  // namespace proviso::interp::internal

#endif  // PROVISO_COMPILER_INTERP_EVALUATOR_H_
