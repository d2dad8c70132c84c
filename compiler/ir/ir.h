// The typed IR: the one program representation that both back ends (the reference interpreter and
// the LLVM JIT) consume. Names are resolved to indexes, constants are values, sugar is gone
// (`deadline D after E` is `E + D`, enum values are variant numbers, record literals are complete).
#ifndef PROVISO_COMPILER_IR_IR_H_
#define PROVISO_COMPILER_IR_IR_H_

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/checker.h"
#include "compiler/ir/value.h"
#include "compiler/support/working_days.h"

namespace proviso::ir {

enum class Op {
  kConst,       // constant
  kInput,       // input field `index` of the facts
  kParam,       // param `index` (as of the evaluation date, after overrides)
  kLet,         // let `index`
  kOutput,      // output `index`
  kLocal,       // local slot `index` (function parameter, quantifier variable)
  kAsOf,        // the evaluation date
  kNow,         // the evaluation instant (seconds since 1970-01-01T00:00:00Z)
  kField,       // field `index` of record args[0]
  kNeg, kNot, kAnd, kOr,
  kArith,       // args[0] bop args[1] (add/sub/mul/div) on the operands' types
  kCompare,     // args[0] bop args[1] (lt/le/gt/ge/eq/ne)
  kIn,          // args[0] in args[1]; negated
  kCoalesce,    // args[0] ?? args[1]
  kIsPresent,   // args[0] is present; negated
  kIf,          // args[0] ? args[1] : args[2]
  kQuant,       // quant over args[0], variable in slot `index`, body args[1], `where` args[2] if any
                // (kFilter/kMap make a list, or a set over a set)
  kSetOp,       // args[0] union/intersect/minus (index: ast::SetOp) args[1], two sets
  kIsEmpty,     // args[0], a list or set, has no element; negated
  kItemOutput,  // output `index`, decided in a `for each`, for the element args[0] (`late of t`)
  kItemLet,     // let `index`, likewise
  kMakeList, kMakeSet,
  kMakeRecord,  // args in field order (defaults filled in)
  kMatch,       // args[0] the scrutinee; arm_of_variant[v] -> args[1 + arm]; for an optional
                // scrutinee, arm_of_variant has one more entry, last, for `none`
  kUnwrap,      // args[0], an optional known to be present (narrowed after `is present`)
  kCall,        // function `index`(args)
  kTable,       // table `index`(args)
  kBuiltin,     // builtin(args); `index` is the calendar of the working-day builtins
  kWorkingDays, // args[0] working days after args[1] (negated: before) in calendar `index`
  kItem,        // the element of `for each` scope `index` being decided
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  Op op = Op::kConst;
  const Type* type = nullptr;
  const ast::Expr* source = nullptr;  // for explanations and error locations
  int index = -1;
  ast::BinOp bop = ast::BinOp::kAdd;
  ast::QuantKind quant = ast::QuantKind::kAny;
  ast::Builtin builtin = ast::Builtin::kMin;
  bool negated = false;
  Value constant;
  std::vector<ExprPtr> args;
  std::vector<int> arm_of_variant;

  Span span() const { return source ? source->span : Span{}; }
};

struct Citation {
  std::string document;  // the title of a law document, or the name the policy gives in words
  std::string article;   // a paragraph id ("p3") of a law document, or the words of the policy
  std::string law;       // the law document's name when the citation resolved to its text, else ""
  std::string text;      // the paragraph cited, when it resolved
};

// A constraint on a fact of the input schema (`minute: int in 0..1439`, `people: int >= 0`), checked
// when facts are read (row by row and in batch columns): on a list or set, on each element.
struct FieldCheck {
  bool range = false;               // lo <= x <= hi; else x `op` lo
  ast::BinOp op = ast::BinOp::kGe;
  Value lo, hi;
  std::string text;                 // as written: "in 0..1439", ">= 0"
  Span span;
};

// Why `v` (a value of the constrained type, or of its elements) breaks `c`, or nullopt when it
// satisfies it: "1500 is not in 0..1439".
std::optional<std::string> CheckViolation(const Value& v, const FieldCheck& c, const Type* t, const TypeTable& types);

struct Effective {
  int64_t from = INT64_MIN;  // inclusive day number
  int64_t until = INT64_MAX; // exclusive
  bool InForce(int64_t day) const { return day >= from && day < until; }
};

struct ParamVersion {
  Effective effective;
  Value value;
  std::vector<Citation> citations;
  std::string interpretation;  // `interpretation "..."`: how the text is read, or ""
};

struct Param {
  std::string name;
  const Type* type = nullptr;
  std::vector<ParamVersion> versions;
  Span span;
};

struct Let {
  std::string name;
  const Type* type = nullptr;
  ExprPtr value;
  Span span;
  int scope = -1;  // decided for each element of this scope (Program::scopes), or -1
};

struct Function {
  std::string name;
  std::vector<const Type*> params;
  ExprPtr body;
  const Type* result = nullptr;  // as declared (the body's type may be narrower, e.g. `{}`)
};

struct Cell {
  ast::Cell::Kind kind = ast::Cell::Kind::kAny;
  ast::BinOp op = ast::BinOp::kEq;
  std::vector<ExprPtr> values;
};

struct TableRow {
  std::vector<Cell> cells;
  ExprPtr result;
  Span span;
};

struct Table {
  std::string name;
  ast::HitPolicy hit = ast::HitPolicy::kUnique;
  ast::Aggregator aggregator = ast::Aggregator::kNone;
  std::vector<const Type*> params;
  const Type* result = nullptr;  // of one row
  const Type* call = nullptr;    // of a call
  std::vector<TableRow> rows;
  ExprPtr default_result;  // may be null
  std::vector<Citation> citations;
  std::string interpretation;
  Span span;
};

struct Rule {
  std::string name;
  int scope = -1;
  int output = -1;
  std::vector<int> parents;   // the rules it is an exception to (`exception to a, b`)
  std::vector<int> children;  // its exceptions
  int64_t priority = 0;
  ExprPtr when;  // null: always
  ExprPtr value;
  Effective effective;
  std::vector<Citation> citations;
  std::string interpretation;  // `interpretation "..."`: how the text is read, or ""
  std::string doc;
  Span span;
};

struct Output {
  std::string name;
  const Type* type = nullptr;
  std::vector<int> roots;  // rules that are exceptions to nothing
  Span span;
  int scope = -1;
  bool required = false;   // undetermined (facts not given) is an evaluation error
};

// `for each VAR in COLLECTION [key K] [law as of D]`: the lets, outputs and obligations decided
// for each element. Decisions report the elements in the collection's order.
struct Scope {
  std::string var;
  ExprPtr collection;  // evaluated once, in the policy's context
  ExprPtr key;         // in the element's context; null: the element's index
  ExprPtr law;         // in the element's context; null: the policy's law date
  const Type* element = nullptr;
  const Type* key_type = nullptr;  // int when there is no key
  std::vector<int> outputs;        // in declaration order
  std::vector<int> obligations;
  Span span;
};

// How an obligation's deadline is judged against the evaluation date (docs/language.md §13).
enum class DeadlineKind {
  kNone,       // no deadline
  kBy,         // do by `deadline` (a date or an instant), not before `not_before` if given
  kRecurring,  // every `every` from `every_from`: the current period's due date
  kRetention,  // keep until `deadline` (retention): breached by deletion (`deleted_at`) before it
  kOpen,       // an open standard ("without undue delay"), judged by `overdue`
};

// The status of a deadline in a decision; kUndetermined when it depends on facts not given.
enum class DeadlineStatus { kNone, kPending, kMet, kOverdue, kEarly, kBreached, kUndetermined };
// "pending", "met", "overdue", "early", "breached", "undetermined" ("" for kNone).
const char* DeadlineStatusName(DeadlineStatus s);

struct Obligation {
  std::string name;
  int scope = -1;
  ast::Modality modality = ast::Modality::kMust;
  std::string subject;
  std::string action;
  std::vector<int> parents;   // the obligations it is an exception to
  std::vector<int> children;  // its exceptions
  int64_t priority = 0;
  ExprPtr when;      // null: always
  DeadlineKind deadline_kind = DeadlineKind::kNone;
  ExprPtr deadline;    // kBy: a date or instant (or optional: none = no deadline); kRetention: keep until
  bool instant = false;  // the deadline (and `done at`) are instants, not dates
  ExprPtr not_before;  // kBy: the window's start (same kind as the deadline), or null
  ExprPtr every;       // kRecurring: the period (a duration) ...
  ExprPtr every_from;  // ... and the first due date
  std::string standard;  // kOpen: the standard as written ("without undue delay")
  ExprPtr overdue;     // kOpen: true when the delay is undue
  ExprPtr done_at;     // when the act was done (optional date/instant), or null: not stated
  ExprPtr deleted_at;  // kRetention: when what is kept was deleted (optional), or null
  ExprPtr violated;  // null: derived from the status when `done at`/`deleted at`/`overdue` say it, else never
  Effective effective;
  std::vector<Citation> citations;
  std::string interpretation;  // `interpretation "..."`: how the text is read, or ""
  std::string doc;
  Span span;
};

// A `given` in a test: a path of field names into the facts and a constant (as JSON text, so that
// it goes through exactly the same validation as facts from a file).
struct TestGiven {
  std::vector<std::string> path;
  std::string json;
  Span span;
};

struct TestExpect {
  ast::TestExpect::Kind kind;
  std::string name;
  std::optional<Value> item;  // the key of the element, for a name decided in a `for each`
  bool is_output = false;  // kValue: output or let
  int index = -1;          // output / let / obligation
  Value value;             // kValue
  std::optional<bool> violated;
  bool violation_undetermined = false;  // `violated undetermined`
  bool undetermined = false;  // kValue: `expect x undetermined`; kObligation: whether it applies is undetermined
  std::optional<std::vector<int>> missing;  // exactly these facts (ids, sorted) are missing
  std::optional<int64_t> deadline;  // a day number, or seconds when the obligation's deadline is an instant
  DeadlineStatus status = DeadlineStatus::kNone;  // kNone: not checked
  std::string error_text;
  Span span;
};

struct Test {
  std::string name;
  std::optional<int64_t> as_of;  // seconds
  std::vector<TestGiven> givens;
  std::vector<std::pair<int, Value>> sets;
  std::vector<TestExpect> expects;
  Span span;
};

// A whole lowered policy. Owns the checked program (types, spans and source AST stay valid).
// Immutable after Lower returns; safe to evaluate from many threads.
struct Program {
  std::unique_ptr<CheckedProgram> checked;
  std::string name;
  std::string title;
  std::string document;
  Effective effective;
  int input_record = -1;
  // The facts of the input schema, by id: the path of every field ("operator.internal_controls",
  // "activities[].recorded": a list's elements are `[]`), depth first in declaration order. An
  // unknown value names the facts it waits for by these ids (Value::Unknown).
  std::vector<std::string> facts;
  // The schema as a tree to walk facts with: fact_nodes[0] is the input record; for each field of
  // a node's record, its fact id and the node of its record (or of its list's, set's or optional's
  // record), or -1. A record inside itself is not expanded again: what is below reports the fact of
  // the field that leads into it.
  struct FactNode {
    int record = -1;
    std::vector<int> fact;
    std::vector<int> child;
  };
  std::vector<FactNode> fact_nodes;
  std::vector<std::vector<std::optional<Value>>> field_defaults;
  // For each record type, the constraints on each field (empty for most).
  std::vector<std::vector<std::vector<FieldCheck>>> field_checks;
  std::vector<Param> params;
  std::vector<Let> lets;
  std::vector<Function> functions;
  std::vector<Table> tables;
  std::vector<Output> outputs;
  std::vector<Rule> rules;
  std::vector<Obligation> obligations;
  std::vector<Test> tests;
  std::vector<WorkingCalendar> calendars;
  std::vector<Scope> scopes;
  ExprPtr law;  // `law as of D`: the date whose law decides; null: the evaluation date
  int max_locals = 0;
  // An upper bound on how deep evaluation recurses (expression depth, through function calls and
  // tables): the interpreter runs deep programs on a large stack.
  int max_depth = 0;

  const TypeTable& types() const { return checked->types; }
  const RecordInfo& input() const { return checked->types.record_info(input_record); }
  int FindParam(const std::string& name) const;
  int FindOutput(const std::string& name) const;
  int FindObligation(const std::string& name) const;
  // The id of fact `path` ("operator.internal_controls"; a list's element fields with or without
  // `[]`), or -1.
  int FindFact(const std::string& path) const;
};

// A constant expression (a param's value, a field's default, a test's value) that cannot be
// computed (an overflow, a division by zero, a day that does not exist): a mistake in the policy,
// found when it is lowered. `span` is the expression.
class ConstantError : public std::runtime_error {
 public:
  ConstantError(const std::string& message, Span span) : std::runtime_error(message), span_(span) {}
  Span span() const { return span_; }

 private:
  Span span_;
};

// Lowers a checked program (which must have no errors) to IR, computing its constant expressions.
// Takes ownership of it. Throws ConstantError (E0507) for a constant that cannot be computed.
std::unique_ptr<Program> Lower(std::unique_ptr<CheckedProgram> checked);

// Evaluates a constant expression as the checker accepted it (literals, enum values, collections
// and records of them). Record fields without a value get their default.
Value ConstantValue(const ast::Expr& e, const Program& p);

// `--emit=ir`: a readable dump of the IR.
std::string Dump(const Program& p);

}  // namespace proviso::ir

#endif  // PROVISO_COMPILER_IR_IR_H_
