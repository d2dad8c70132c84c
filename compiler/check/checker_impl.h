// Private to compiler/check: the checker's helper types and the `Checker` class, whose passes
// are defined in one file per concern (each group below names its file). Include it only from
// compiler/check/*.cc; other stages use compiler/check/checker.h.
#ifndef PROVISO_COMPILER_CHECK_CHECKER_IMPL_H_
#define PROVISO_COMPILER_CHECK_CHECKER_IMPL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/ast/ast.h"
#include "compiler/check/checker.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/support/calendar.h"
#include "compiler/source/source.h"
#include "compiler/types/types.h"

namespace proviso::check_internal {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

enum class SymKind { kInput, kParam, kLet, kOutput, kFunction, kTable, kRule, kObligation };

struct Symbol {
  SymKind kind;
  int index;
  Span span;
  bool main;  // declared in the main file (unused warnings apply)
  int scope = -1;  // decided in this `for each` (CheckedProgram::scopes), or -1
};

// names.cc: the kind's name in messages ("param", "input field" ...).
const char* SymKindName(SymKind k);
// names.cc: "did you mean `c`?" for the candidate closest to `name`, or "" when none is close.
std::string Suggest(const std::string& name, const std::vector<std::string>& candidates);

// What an expression may refer to, by where it appears.
struct Context {
  bool facts = true;      // inputs, lets, outputs, as_of
  const char* what = "";  // for messages: "a param value", "a function body" ...
  bool partial_records = false;  // `given` facts may be completed by other lines
  bool law_date = false;  // a `law as of` date: facts only (params, lets and outputs depend on it)
};

// Constant cell contents for overlap and completeness checks of decision tables.
struct CellSet {
  bool any = false;
  bool known = true;
  std::vector<std::pair<int64_t, int64_t>> ranges;  // inclusive, for int/decimal/date/enum/bool
  std::set<std::string> texts;

  bool Contains(int64_t v) const {
    if (any || !known) return true;
    for (auto& r : ranges) if (v >= r.first && v <= r.second) return true;
    return false;
  }
  // True only when the two cells certainly share a value.
  bool SurelyOverlaps(const CellSet& o) const {
    if (!known || !o.known) return false;
    if (any || o.any) return true;
    for (auto& a : ranges) {
      for (auto& b : o.ranges) {
        if (a.first <= b.second && b.first <= a.second) return true;
      }
    }
    for (auto& t : texts) if (o.texts.count(t)) return true;
    return false;
  }
};

// Checks one program in place: resolves names, annotates expressions with types and indexes, fills
// the symbol tables of `p` and reports every problem to `d`. One Checker per program; Run once.
// Not thread-safe. Both references must outlive it.
class Checker {
 public:
  Checker(CheckedProgram& p, DiagnosticSink& d) : p_(p), diags_(d), types_(p.types) {}

  // checker.cc: every pass, in order.
  void Run();

 private:
  // Chains longer than this (records in records, exceptions to exceptions, definitions that use
  // definitions) are E0008: every later stage walks them recursively, and a legal policy is far
  // from it. Expressions have their own limit in the parser (E0007).
  static constexpr int kMaxChain = 1000;

  // A function parameter or quantifier variable in scope, and its slot among the locals.
  struct Local {
    std::string name;
    const Type* type;
    int slot;
  };

  // Used by every pass.
  const Type* Err() { return types_.Error(); }
  void MarkUsed(const std::string& name) { used_.insert(name); }

  // names.cc: declarations, types, records, signatures, name lookup, unused declarations.
  void DeclareTypes();
  bool DeclareTypeName(const std::string& name, Span span);
  void FillFields(RecordInfo& info, std::vector<ast::FieldDecl>& fields, const std::string& owner);
  int RecordDepth(int r, std::vector<int>& depth, std::vector<char>& on_path);
  void CheckRecordCycles();
  const Type* ResolveType(const ast::TypeExpr& t);
  void Declare(const std::string& name, Symbol sym);
  void DeclareValues();
  void Ignored(Span span, const char* what, const std::string& name);
  void ResolveSignatures();
  std::vector<std::string> VisibleNames();
  const Type* CheckName(Expr& e, const Context& ctx, const Type* expected);
  void WarnUnused();

  // expressions.cc: the type of an expression.
  void Mismatch(const Expr& e, const Type* expected, const Type* got, const std::string& what);
  const Type* CheckExpr(Expr& e, const Context& ctx, const Type* expected = nullptr);
  const Type* ExpectType(Expr& e, const Context& ctx, const Type* want, const std::string& what);
  const Type* CheckExprInner(Expr& e, const Context& ctx, const Type* expected);
  const Type* CheckField(Expr& e, const Context& ctx);
  static std::string JoinNames(const std::vector<std::string>& names);
  const Type* CheckBinary(Expr& e, const Context& ctx);
  const Type* CheckQuant(Expr& e, const Context& ctx, const Type* expected);
  const Type* CheckSetOp(Expr& e, const Context& ctx, const Type* expected);
  const Type* CheckItemOf(Expr& e, const Context& ctx);
  const Type* WarnHiddenValue(const Expr& e, const Type* t, const std::string& what);
  bool SameResult(const Expr& a, const Expr& b);
  std::optional<std::vector<int64_t>> RankKey(const Expr& e, const Type* t);
  void WarnUnreachableRows(const TableSymbol& t, const std::vector<std::vector<CellSet>>& sets);
  const Type* CheckCall(Expr& e, const Context& ctx, const Type* expected);
  const Type* CheckRecordLit(Expr& e, const Context& ctx, const Type* expected);
  const Type* CheckMatch(Expr& e, const Context& ctx, const Type* expected);

  // narrowing.cc: after `x is present` (in `and`, `or`, `if`, `when`, `match`), `x` is a `T`.
  static bool IsPath(const Expr& e);
  static void PresentWhen(const Expr& cond, bool value, std::vector<std::string>& out);
  // Until the returned guard goes, the paths `cond` proves present when it is `value` are narrowed.
  struct Assumed {
    std::vector<std::string>* present;
    size_t size;
    ~Assumed() { present->resize(size); }
  };
  [[nodiscard]] Assumed Assume(const Expr* cond, bool value);
  [[nodiscard]] Assumed AssumePresent(const Expr& path);
  const Type* Narrow(Expr& e, const Type* t);
  // Checks the operand of `is present` or `??`, which is never narrowed.
  const Type* CheckUnnarrowed(Expr& e, const Context& ctx, const Type* expected = nullptr);
  // Forgets the narrowings of paths that start with `name` (a variable that shadows them).
  std::vector<std::string> Shadow(const std::string& name);

  // bodies.cc: field defaults and constraints, param values, lets, function bodies; constants.
  void CheckFieldChecks(ast::FieldDecl& f, const Type* type);
  const Type* LetType(int i);
  void CheckLet(int i);
  bool IsConstant(const Expr& e);
  void CheckBodies();

  // tables.cc: decision tables and their cells.
  void CheckTable(TableSymbol& t);
  std::optional<int64_t> ConstInt(const Expr& e);
  CellSet CheckCell(ast::Cell& cell, const Type* col, const Context& ctx,
                    const std::string& column);

  // default_logic.cc: rules, their exceptions and conflicts.
  std::string DescribeEffective(const ast::Effective& e);
  void CheckRules();
  // Defined at the end of this header: rules and obligations (obligations.cc) both use them.
  template <typename SpanOf, typename NameOf>
  void ReportExceptionCycles(std::vector<std::vector<int>>& parents, SpanOf span_of, NameOf name_of,
                             const char* what);
  template <typename SpanOf, typename NameOf>
  void ReportDeepExceptions(const std::vector<std::vector<int>>& parents, SpanOf span_of, NameOf name_of,
                            const char* what);

  // obligations.cc: obligations, their deadlines and exceptions.
  void CheckObligations();

  // dependencies.cc: cycles through values, and chains of definitions too deep.
  void Refs(const Expr& e, std::vector<std::pair<SymKind, int>>& out);
  void CheckDependencyCycles();

  // law.cc: citations of the law, interpretations and `not encoded` marks.
  void CheckCitations();

  // tests.cc: `test` blocks.
  void CheckTests();
  void CheckItem(ast::TestExpect& x, int scope, const Context& constant);
  void CheckMissingFacts(const ast::TestExpect& x);

  // time.cc: dates, date-times and durations; working-day calendars.
  std::optional<Duration> ConstDuration(const Expr& e);
  const Type* CheckWholeDays(const Expr& e, const Expr& duration, const Type* date);
  void DateOrInstant(Expr& e, const Context& ctx, const std::string& what);
  void DeclareCalendars();
  void CheckCalendar(const ast::CalendarDecl& c);
  int ResolveCalendar(const std::string& name, Span span);

  // builtins.cc: calls of the builtin functions.
  const Type* CheckBuiltin(Expr& e, const Context& ctx, const Type* expected);

  // obligations.cc
  void CheckDeadline(const ast::ObligationDecl& o, const Context& ctx);
  const Type* DeadlineType(const ast::ObligationDecl& o);

  // scopes.cc: `for each` and `law as of`.
  void CheckScopes();

  CheckedProgram& p_;
  DiagnosticSink& diags_;
  TypeTable& types_;
  std::map<std::string, Span> type_names_;
  std::map<std::string, int> enum_index_;
  std::map<std::string, int> record_index_;
  std::map<int, std::pair<const ast::EnumDecl*, bool>> enum_decl_;
  std::map<int, std::pair<const ast::RecordDecl*, bool>> record_decl_;
  std::vector<std::pair<ast::FieldDecl*, const Type*>> field_defaults_;
  std::map<std::string, Symbol> globals_;
  std::set<std::string> used_;
  std::vector<std::string> unknown_uses_;  // names reported unknown (E0111)
  std::set<std::string> duplicated_;
  std::set<std::string> used_types_;
  std::vector<Local> locals_;
  std::vector<std::string> present_;  // the paths known present here (narrowing.cc), as source text
  bool unnarrowed_ = false;           // the expression being checked is not to be narrowed
  std::vector<int> let_state_;  // 0 unchecked, 1 in progress, 2 done
  std::map<std::string, int> calendar_index_;
  int scope_ = -1;  // the `for each` being checked (CheckedProgram::scopes), or -1
};

// Exception graphs, for rules (default_logic.cc) and obligations (obligations.cc). `parents[i]`
// are the declarations `i` is an exception to (`exception to a, b`): a graph that must be acyclic.

// Reports each cycle once and removes the edge that closes it, so that later stages see a DAG.
// Iterative depth-first search: chains may be as long as the program.
template <typename SpanOf, typename NameOf>
void Checker::ReportExceptionCycles(std::vector<std::vector<int>>& parents, SpanOf span_of, NameOf name_of,
                                    const char* what) {
  std::vector<int> state(parents.size(), 0);  // 0 unvisited, 1 on the path, 2 done
  for (size_t start = 0; start < parents.size(); ++start) {
    if (state[start]) continue;
    std::vector<std::pair<int, size_t>> path{{static_cast<int>(start), 0}};  // node, next parent to visit
    state[start] = 1;
    while (!path.empty()) {
      auto& [node, next] = path.back();
      if (next == parents[node].size()) {
        state[node] = 2;
        path.pop_back();
        continue;
      }
      int up = parents[node][next];
      if (state[up] == 0) {
        ++next;
        state[up] = 1;
        path.push_back({up, 0});
        continue;
      }
      if (state[up] == 1) {  // `up` is on the path: a cycle
        auto pos = std::find_if(path.begin(), path.end(), [&](const auto& f) { return f.first == up; });
        std::string chain;
        for (auto it = pos; it != path.end(); ++it) chain += "`" + name_of(it->first) + "` -> ";
        chain += "`" + name_of(up) + "`";
        diags_.Error("E0408", span_of(up), fmt::format("{} exceptions form a cycle: {}", what, chain))
            .help = fmt::format("a chain of exceptions must end at a general {} that is an exception to nothing", what);
        parents[node].erase(parents[node].begin() + static_cast<long>(next));  // break it for later stages
        continue;
      }
      ++next;
    }
  }
}

// After ReportExceptionCycles (no cycles left): each declaration that is an exception more than
// kMaxChain levels deep (its longest chain to a general declaration).
template <typename SpanOf, typename NameOf>
void Checker::ReportDeepExceptions(const std::vector<std::vector<int>>& parents, SpanOf span_of, NameOf name_of,
                                   const char* what) {
  std::vector<int> depth(parents.size(), 0);  // 1 for an exception to nothing; 0 not yet known
  for (size_t start = 0; start < parents.size(); ++start) {
    std::vector<std::pair<int, size_t>> path{{static_cast<int>(start), 0}};
    while (!path.empty()) {
      auto& [node, next] = path.back();
      if (depth[node]) {
        path.pop_back();
        continue;
      }
      if (next < parents[node].size()) {
        int up = parents[node][next++];
        if (!depth[up]) path.push_back({up, 0});
        continue;
      }
      int d = 1;
      for (int up : parents[node]) d = std::max(d, depth[up] + 1);
      depth[node] = d;
      if (d > kMaxChain && std::all_of(parents[node].begin(), parents[node].end(),
                                       [&](int up) { return depth[up] <= kMaxChain; })) {
        diags_.Error("E0008", span_of(node),
                     fmt::format("{} `{}` is an exception {} levels deep (at most {})", what, name_of(node), d - 1,
                                 kMaxChain - 1))
            .help = fmt::format("make some of these {}s exceptions to a general {} higher up the chain", what, what);
      }
      path.pop_back();
    }
  }
}

}  // namespace proviso::check_internal

#endif  // PROVISO_COMPILER_CHECK_CHECKER_IMPL_H_
