// The translation of the typed IR to Z3 terms, private to compiler/verify (nothing outside this
// folder includes Z3). One Translator turns one ir::Program, for symbolic facts, into:
//   - a term for every output (Sym) and, for every obligation, whether it applies, is violated,
//     its deadline and status;
//   - the places where evaluation fails (FailSite), each with the condition under which it does.
// The reference interpreter (compiler/interp) is the semantics matched, for facts that are all
// given (unknown facts are out of scope: the facts a witness gives are complete). What is not
// translated throws Unsupported, which makes the answer "unknown" with the reason, never "proved".
//
// Defined by concern:
//   expressions.cc    values, operators, arithmetic, comparisons, quantifiers over sets, builtins
//   default_logic.cc  outputs: rules, exceptions, priorities, conflicts
//   tables.cc         decision tables (every hit policy)
//   obligations.cc    obligations, their exceptions, deadlines and statuses
//   facts.cc          symbolic facts, their validity constraints, and a model read back as facts
#ifndef PROVISO_COMPILER_VERIFY_SYMBOLIC_H_
#define PROVISO_COMPILER_VERIFY_SYMBOLIC_H_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <z3++.h>

#include "compiler/ir/ir.h"

namespace proviso::verify::internal {

// A construct the translation does not cover: the answer is "unknown: <what>".
class Unsupported : public std::runtime_error {
 public:
  Unsupported(const std::string& what, Span span) : std::runtime_error(what), span_(span) {}
  Span span() const { return span_; }

 private:
  Span span_;
};

// Whether `e` holds no term (a part of a Sym its kind does not use).
inline bool IsNull(const z3::expr& e) { return static_cast<Z3_ast>(e) == nullptr; }

// A symbolic value. Its shape follows its type:
//   bool: v (Bool); int, decimal (micro-units), date (day number), date-time (seconds), enum
//   (variant): v (Int); text: v (String); duration: months and v (seconds);
//   optional: present and parts[0]; record: parts (fields in order);
//   set: elems (candidate elements, pairwise distinct) with members (whether each is in);
//   list: elems with members, the live ones a prefix unless `gapped` (made by filter or map).
struct Sym {
  explicit Sym(z3::context& c) : v(c), months(c), present(c) {}
  TypeKind kind = TypeKind::kBool;
  z3::expr v;
  z3::expr months;
  z3::expr present;
  std::vector<Sym> parts;
  std::vector<Sym> elems;
  std::vector<z3::expr> members;
  bool gapped = false;  // a list whose live candidates need not be a prefix (made by filter or map)
};

// A place where evaluation fails, and when.
struct FailSite {
  std::string what;  // "conflict on output `x`", "division by zero in `a / b`"
  Span span;
  z3::expr when;
};

// What an obligation decides: applies, and, where it does, violated, deadline and status.
struct SymObligation {
  explicit SymObligation(z3::context& c) : applies(c), violated(c), has_deadline(c), deadline(c), status(c) {}
  z3::expr applies, violated, has_deadline, deadline, status;  // status: ir::DeadlineStatus as an int
};

// Symbolic facts: one Sym for the input record, shared by the programs compared (by field path).
struct SymFacts {
  explicit SymFacts(z3::context& c) : input(c), valid(c.bool_val(true)), as_of(c) {}
  Sym input;
  z3::expr valid;  // the facts are valid: ranges of values, constraints of the schema
  z3::expr as_of;  // the evaluation date (a day number), fixed or ranging
  std::vector<std::string> bounded_lists;  // the list facts, of at most `list_bound` elements
  int list_bound = 0;
};

// Builds symbolic facts for `p`'s input schema (facts.cc): a list has a length from 0 to
// `list_bound` and that many elements (a prefix of its candidates is live). Throws Unsupported for
// a fact the translation cannot represent (sets of anything but enums).
SymFacts MakeFacts(z3::context& c, const ir::Program& p, int list_bound);
// Reads a model back as facts JSON (only what `p`'s schema has), in the form `proviso eval` takes.
nlohmann::json FactsFromModel(const z3::model& m, const Sym& input, const ir::Program& p);

class Translator {
 public:
  // Translates `p` for `facts` (which must outlive it). Throws Unsupported.
  Translator(z3::context& c, const ir::Program& p, const SymFacts& facts);

  // The whole evaluation: every output and obligation of the policy. Throws Unsupported.
  void Run();

  const std::vector<Sym>& outputs() const { return outputs_; }
  // By obligation index: a policy's own, or for one of a `for each`, whether it applies (is
  // violated) for some element.
  const std::vector<SymObligation>& obligations() const { return obligations_; }
  // What each `for each` decides, per candidate element of its collection (by scope, then element).
  struct Item {
    explicit Item(z3::context& c) : exists(c) {}
    z3::expr exists;                         // the candidate is an element of the collection
    std::vector<Sym> outputs;                // in the order of ir::Scope::outputs
    std::vector<SymObligation> obligations;  // in the order of ir::Scope::obligations
  };
  const std::vector<std::vector<Item>>& items() const { return items_; }
  const std::vector<FailSite>& fails() const { return fails_; }
  // Whether evaluation fails at all.
  z3::expr Fails() const;
  // For each rule: when it applies (its condition holds, in force, not overridden); each table
  // row: when it is chosen (per table, per row; ORed over the calls).
  const std::vector<z3::expr>& rule_applies() const { return rule_applies_; }
  const std::vector<std::vector<z3::expr>>& row_chosen() const { return row_chosen_; }
  bool table_called(int t) const { return table_called_[t]; }
  // Definitions of the auxiliary terms (civil dates of day numbers): assert them with the facts.
  const std::vector<z3::expr>& definitions() const { return defs_; }

  // ---------------------------------------------------------------- helpers (expressions.cc)
  Sym Const(const Value& v, const Type* t);
  Sym Ite(const z3::expr& c, const Sym& a, const Sym& b);
  z3::expr Equal(const Sym& a, const Sym& b);
  // `s` as a value of type `t` (a plain value where an optional is expected becomes present).
  Sym Coerce(const Sym& s, const Type* t);
  Sym Default(const Type* t);

 private:
  friend struct TranslatorAccess;
  // ---------------------------------------------------------------- expressions (expressions.cc)
  Sym Eval(const ir::Expr& e);
  Sym Arith(const ir::Expr& e, const Sym& a, const Sym& b);
  Sym Shift(const ir::Expr& e, const Sym& base, const Sym& d, int sign);
  z3::expr CompareOp(const ir::Expr& e, ast::BinOp op, const Sym& a, const Sym& b);
  Sym Quant(const ir::Expr& e);
  Sym SetOp(const ir::Expr& e);
  Sym Builtin(const ir::Expr& e);
  struct Civil {
    z3::expr y, m, d;
  };
  Civil CivilOf(const z3::expr& days);
  z3::expr AddMonths(const z3::expr& days, const z3::expr& months);
  Sym In(const ir::Expr& e);
  Sym MakeSet(const std::vector<Sym>& items);
  // An int result that must fit in 64 bits (else "number overflow" at `e`).
  z3::expr Checked(const ir::Expr& e, const z3::expr& r);
  z3::expr TruncDiv(const z3::expr& a, const z3::expr& b);
  Sym LetValue(int i);
  Sym LetIn(int i, std::optional<Sym>& memo, int& state, std::vector<FailSite>& kept);
  Sym Param(int i);
  z3::expr InForce(const ir::Effective& eff);

  // ---------------------------------------------------------------- failures
  void Fail(const z3::expr& cond, const std::string& what, Span span);
  // Runs `f` with the path condition strengthened by `c` (what fails inside fails only there).
  template <typename F>
  auto Under(const z3::expr& c, F f) {
    z3::expr saved = guard_;
    guard_ = guard_ && c;
    struct Restore {
      Translator* self;
      z3::expr saved;
      ~Restore() { self->guard_ = saved; }
    } restore{this, saved};
    return f();
  }
  std::string Src(const ir::Expr& e) const;

  // ---------------------------------------------------------------- default logic (default_logic.cc)
  struct Outcome {
    explicit Outcome(z3::context& c) : val(c.bool_val(false)), conflict(c.bool_val(false)), value(c) {}
    z3::expr val, conflict;  // exclusive: a value, a conflict, or (neither) nothing
    Sym value;
  };
  Sym Output(int o);
  Sym DecideOutput(int o);
  Outcome Choose(const std::vector<int>& rules, int output);
  Outcome DecideRule(int r, int output);
  Outcome Join(const Outcome& a, const Outcome& b);
  Outcome Else(const Outcome& a, const Outcome& b);

  // ---------------------------------------------------------------- tables (tables.cc)
  Sym Table(const ir::Expr& e);
  z3::expr CellMatches(const ir::Expr& at, const ir::Cell& c, const Sym& x);

  // ---------------------------------------------------------------- obligations (obligations.cc)
  // The obligations `which` (of the current frame): what each decides, in that order.
  std::vector<SymObligation> Obligations(const std::vector<int>& which);

  // ---------------------------------------------------------------- `for each` (scopes.cc)
  // The element being decided (scope -1: the policy), its law date, when it exists, and the memo
  // of its lets and outputs (with the lets' failures, flushed where they are reached on Leave).
  struct Frame {
    explicit Frame(z3::context& c) : element(c), law(c), guard(c.bool_val(true)) {}
    int scope = -1;
    Sym element;
    z3::expr law;
    z3::expr guard;
    std::vector<std::optional<Sym>> lets, outputs;
    std::vector<int> let_state, output_state;
    std::vector<std::vector<FailSite>> let_fails;
    std::vector<z3::expr> let_reached;
  };
  void Scopes();
  // Decides element `element` of scope `scope` from now on, where `exists`; returns the frame left.
  Frame Enter(int scope, const Sym& element, const z3::expr& exists);
  void Leave(Frame saved);
  Sym ItemOf(const ir::Expr& e);
  // Runs `f` in the policy's own frame (a name of the policy read while deciding an element).
  template <typename F>
  auto Global(F f) {
    if (frame_.scope < 0) return f();
    Frame saved = frame_;
    frame_ = Frame(c_);
    frame_.law = global_law_;
    law_ = global_law_;
    struct Restore {
      Translator* self;
      Frame* saved;
      ~Restore() {
        self->frame_ = std::move(*saved);
        self->law_ = self->frame_.law;
      }
    } restore{this, &saved};
    return f();
  }
  void Deadline(const ir::Obligation& o, const std::optional<Sym>& stated, SymObligation& res, z3::expr& derived);

  z3::context& c_;
  const ir::Program& p_;
  const SymFacts& facts_;
  z3::expr guard_;
  z3::expr law_;  // the day whose law decides
  std::vector<FailSite> fails_;
  std::vector<Sym> locals_;
  std::vector<std::optional<Sym>> params_;
  std::vector<std::optional<z3::expr>> param_any_;  // some version of param i is in force
  // Lets: translated once, with their own failures; each reference adds its path condition to
  // let_reached_, and Run adds the let's failures where it is reached.
  std::vector<std::optional<Sym>> lets_;
  std::vector<std::vector<FailSite>> let_fails_;
  std::vector<z3::expr> let_reached_;
  std::vector<int> let_state_;
  std::vector<std::optional<Sym>> outputs_memo_;
  std::vector<int> output_state_;
  std::vector<Sym> outputs_;
  std::vector<SymObligation> obligations_;
  std::vector<std::vector<Item>> items_;
  Frame frame_;
  z3::expr global_law_;
  std::vector<z3::expr> rule_applies_;
  std::vector<std::vector<z3::expr>> row_chosen_;
  std::vector<bool> table_called_;
  int call_depth_ = 0;
  std::vector<z3::expr> defs_;
  static constexpr int64_t kMaxNodes = 200000;
  int64_t nodes_ = 0;
};

}  // namespace proviso::verify::internal

#endif  // PROVISO_COMPILER_VERIFY_SYMBOLIC_H_
