// The abstract syntax tree of a Proviso file, with source spans. Built by the parser, annotated by
// the checker (the `type` and resolution fields below), read by the lowering to IR.
#ifndef PROVISO_COMPILER_AST_AST_H_
#define PROVISO_COMPILER_AST_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/source/source.h"
#include "compiler/types/types.h"

namespace proviso::ast {

struct TypeExpr {
  enum class Kind { kBool, kInt, kDecimal, kText, kDate, kDateTime, kDuration, kNamed, kSet, kList, kOptional };
  Kind kind = Kind::kInt;
  std::string name;                // kNamed
  std::unique_ptr<TypeExpr> elem;  // kSet, kList, kOptional
  Span span;
};

enum class ExprKind {
  kInt, kDecimal, kText, kDate, kDateTime, kDuration, kBool, kNone, kAsOf,
  kNow,       // the evaluation instant (a datetime); `as_of` is its date
  kName,      // name
  kField,     // args[0].name
  kCall,      // name(args) — function, table or builtin
  kNeg, kNot,
  kBinary,    // args[0] op args[1]
  kAnd, kOr,
  kIn,        // args[0] in args[1]; negated = `not in`
  kCoalesce,  // args[0] ?? args[1]
  kIsPresent, // args[0] is present; negated = `is not present`
  kIf,        // if args[0] then args[1] else args[2]
  kQuant,     // quant var in args[0] [where args[2]]: args[1] (see QuantKind)
  kSetOp,     // args[0] union/intersect/minus args[1] (set_op)
  kIsEmpty,   // args[0] is empty (a list or set); negated = `is not empty`
  kItemOf,    // `name of args[0]`: a let or output of a `for each` for the element args[0]
  kList, kSet, kRecord,
  kMatch,     // match args[0] { arms }
  kWorkingDays,  // args[0] working days after (negated: before) args[1], in calendar `name` ("" = the only one)
};
// kName may also be the element of a `for each` (RefKind::kItem, index = the scope).

enum class BinOp { kAdd, kSub, kMul, kDiv, kLt, kLe, kGt, kGe, kEq, kNe };
// kFilter: the elements for which the body holds; kMap: the body's value for each element (both a
// list over a list, a set over a set). A `where` of any quantifier skips the elements for which it
// does not hold; the parser makes `count x in c where w` and `filter x in c where w` have w as
// their body, so args[2] is there only beside a body.
enum class QuantKind { kAny, kAll, kCount, kSum, kMin, kMax, kFilter, kMap };
enum class SetOp { kUnion, kIntersect, kMinus };
enum class DurationUnit { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear };

// What a name or call refers to, filled in by the checker.
enum class RefKind {
  kUnresolved, kInput, kParam, kLet, kOutput, kLocal, kEnumValue, kFunction, kTable, kBuiltin,
  kRecordField,  // kField: index = field index
  kItem,         // kName: the element of `for each` scope `index`
};
// Builtin functions, called by name (a function or table of the same name takes precedence).
enum class Builtin {
  kMin, kMax, kCount, kSum,
  kYear, kMonth, kDay,            // of a date or (its UTC date) a datetime
  kWeekday,                       // ISO: 1 = Monday ... 7 = Sunday
  kHour, kMinute, kSecond,        // of a datetime (UTC)
  kDays, kHours, kMinutes, kSeconds,  // a duration as a whole number of days/hours/... (truncated)
  kFirstDayOfMonth, kLastDayOfMonth, kFirstDayOfYear, kLastDayOfYear,
  kDate,                          // date(y, m, d); date(t) (UTC); date(t, offset) (local at UTC + offset)
  kDateTime,                      // datetime(d) (00:00 UTC); datetime(d, h, m, s)
  kMonthsBetween,                 // whole months from a to b
  kIsWorkingDay,                  // is_working_day(d [, calendar])
  kWorkingDaysBetween,            // working_days_between(a, b [, calendar]): working days in (a, b]
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct MatchArm {
  std::vector<std::string> patterns;  // empty = `_`; "none": an absent value (optional enums)
  std::vector<Span> pattern_spans;
  ExprPtr body;
  Span span;
  std::vector<int> variants;  // checker: resolved variant indexes (the enum's size for `none`)
};

struct Expr {
  ExprKind kind;
  Span span;
  std::string name;       // kName, kField (field), kCall (callee), kQuant (bound variable)
  int64_t int_value = 0;  // kInt, kDate (day number), kDateTime (seconds), kDuration (amount), kBool
  std::string text;       // kText value; kDecimal spelling
  DurationUnit unit = DurationUnit::kDay;
  BinOp op = BinOp::kAdd;
  QuantKind quant = QuantKind::kAny;
  SetOp set_op = SetOp::kUnion;
  bool negated = false;
  std::vector<ExprPtr> args;
  std::vector<std::string> field_names;  // kRecord
  std::vector<Span> field_spans;         // kRecord
  std::vector<MatchArm> arms;            // kMatch

  // Filled in by the checker.
  const Type* type = nullptr;
  RefKind ref = RefKind::kUnresolved;
  int index = -1;        // input field / param / let / output / local slot / function / table / field
  int variant = -1;      // kEnumValue: the variant (index = the enum)
  Builtin builtin = Builtin::kMin;
  int calendar = -1;     // kWorkingDays, kIsWorkingDay, kWorkingDaysBetween: the calendar
  std::vector<int> record_order;  // kRecord: for each record field, the literal's entry or -1
  // kName, kField: the optional type of a value known to be present here (after `x is present`),
  // whose `type` is then the element type; null when not narrowed.
  const Type* narrowed_from = nullptr;
};

struct Effective {
  bool present = false;
  int64_t from = INT64_MIN;  // day number, inclusive
  int64_t until = INT64_MAX; // day number, exclusive
  Span span;
};

struct Citation {
  std::string article;
  std::string document;  // empty: the file's `document` (or first `law`)
  Span span;
  // Checker: the law document (index in CheckedProgram::laws) and paragraph it resolves to, or -1
  // when the file has no `law` (the citation is then free text).
  int law = -1;
  int paragraph = -1;
};

// `interpretation "REASON"`: a decision the text does not make. Empty text: none.
struct Interpretation {
  std::string reason;
  Span span;
  bool present() const { return span.valid(); }
};

// A constraint on a fact: `in lo..hi` (range) or `op bound` (>=, >, <=, <, !=).
struct FieldCheck {
  bool range = false;
  BinOp op = BinOp::kGe;
  ExprPtr lo;  // the bound of a comparison, or the range's low end
  ExprPtr hi;  // the range's high end
  Span span;
};

struct FieldDecl {
  std::string name;
  Span span;
  std::unique_ptr<TypeExpr> type;
  std::vector<FieldCheck> checks;
  ExprPtr dflt;
  Interpretation interpretation;  // of the default
};

struct EnumDecl {
  std::string name;
  Span span;
  std::vector<std::string> variants;
  std::vector<Span> variant_spans;
  std::string doc;
  Interpretation interpretation;  // categories the text does not state
  int type_index = -1;  // checker
};

struct RecordDecl {
  std::string name;
  Span span;
  std::vector<FieldDecl> fields;
  std::string doc;
  int type_index = -1;  // checker
};

struct InputDecl {
  Span span;
  std::vector<FieldDecl> fields;
};

struct ParamDecl {
  std::string name;
  Span span;
  std::unique_ptr<TypeExpr> type;
  ExprPtr value;
  Effective effective;
  std::optional<Citation> citation;
  Interpretation interpretation;
  std::string doc;
};

struct LetDecl {
  std::string name;
  Span span;
  int scope = -1;  // the `for each` (index in Module::scopes) it is decided in, or -1
  std::unique_ptr<TypeExpr> type;  // optional annotation
  ExprPtr value;
  std::string doc;
};

struct TypedName {
  std::string name;
  Span span;
  std::unique_ptr<TypeExpr> type;
};

struct FunctionDecl {
  std::string name;
  Span span;
  std::vector<TypedName> params;
  std::unique_ptr<TypeExpr> result;
  ExprPtr body;
  std::string doc;
};

// kRuleOrder: the matching rows' results in row order (a list, as kCollect); kOutputOrder: the same,
// sorted by rank (ast::Rank: enums in declaration order, numbers and dates ascending, records field
// by field; equal ranks keep row order); kPriority: the first result in that order.
enum class HitPolicy { kUnique, kAny, kFirst, kPriority, kCollect, kRuleOrder, kOutputOrder };
enum class Aggregator { kNone, kSum, kMin, kMax, kCount };

struct Cell {
  enum class Kind { kAny, kCompare, kRange, kOneOf, kEqual };
  Kind kind = Kind::kAny;
  BinOp op = BinOp::kEq;  // kCompare
  std::vector<ExprPtr> values;
  Span span;
};

struct TableRow {
  std::vector<Cell> cells;
  ExprPtr result;
  Span span;
};

struct TableDecl {
  std::string name;
  Span span;
  std::vector<TypedName> params;
  std::unique_ptr<TypeExpr> result;
  HitPolicy hit = HitPolicy::kUnique;
  Aggregator aggregator = Aggregator::kNone;
  Span hit_span;
  std::optional<Citation> citation;
  Interpretation interpretation;
  std::vector<TableRow> rows;
  ExprPtr default_result;
  Span default_span;
  std::string doc;
};

struct OutputDecl {
  std::string name;
  Span span;
  int scope = -1;
  std::unique_ptr<TypeExpr> type;
  std::string doc;
  bool required = false;  // `required`: undetermined is an error
};

struct NameRef {
  std::string name;
  Span span;
};

struct RuleDecl {
  std::string name;
  Span span;
  int scope = -1;
  std::vector<NameRef> exception_to;  // `exception to a, b`: the rules it overrides
  std::optional<int64_t> priority;
  ExprPtr when;
  std::optional<NameRef> target;
  ExprPtr value;
  Effective effective;
  std::vector<Citation> citations;
  Interpretation interpretation;
  std::string doc;
};

enum class Modality { kMust, kMustNot, kMay };

struct ObligationDecl {
  std::string name;
  Span span;
  int scope = -1;
  std::vector<NameRef> exception_to;  // `exception to a, b`: the obligations it replaces
  std::optional<int64_t> priority;
  std::string subject;
  std::optional<Modality> modality;
  std::string action;
  ExprPtr when;
  ExprPtr deadline;        // a date or datetime (text: an open standard), or a duration when deadline_after is set
  ExprPtr deadline_after;  // `deadline D after E`: E is the event date
  ExprPtr every;           // `deadline every D from E`: the period D ...
  ExprPtr every_from;      // ... and the first due date E
  ExprPtr not_before;      // `not before E`: the start of a window
  ExprPtr retain_until;    // `retain until E`, or `retain for D after E` (retain_until = D, retain_after = E)
  ExprPtr retain_after;
  ExprPtr done_at;         // `done at E`: when the act was done (none: not yet)
  ExprPtr deleted_at;      // `deleted at E`: when what is retained was deleted (none: still kept)
  ExprPtr overdue;         // `overdue when C`: for an open standard
  ExprPtr violated;
  Effective effective;
  std::vector<Citation> citations;
  Interpretation interpretation;
  std::string doc;
};

struct TestGiven {
  std::vector<std::string> path;
  Span span;
  ExprPtr value;
};

struct TestSet {
  std::string name;
  Span span;
  ExprPtr value;
  int param = -1;  // checker
};

struct TestExpect {
  enum class Kind { kValue, kObligation, kNoObligation, kError };
  Kind kind = Kind::kValue;
  std::string name;
  Span span;
  ExprPtr item;                  // `for KEY`: the element of a `for each` (by its key, or index)
  ExprPtr value;                 // kValue
  std::optional<bool> violated;  // kObligation
  bool violation_undetermined = false;  // kObligation: `violated undetermined`
  ExprPtr deadline;              // kObligation
  std::string status;            // kObligation: `pending`, `met`, `overdue`, ... ("" = not checked)
  Span status_span;
  std::string error_text;        // kError
  // kValue: `expect x undetermined`; kObligation: `expect undetermined obligation o` (whether it
  // applies depends on facts not given).
  bool undetermined = false;
  // `missing a.b, c`: exactly the facts the undetermined results wait for (paths of field names).
  std::optional<std::vector<std::vector<std::string>>> missing;
  std::vector<Span> missing_spans;
};

struct TestDecl {
  std::string name;
  Span span;
  std::optional<int64_t> as_of;  // seconds (a date is its midnight, UTC)
  Span as_of_span;
  std::vector<TestGiven> givens;
  std::vector<TestSet> sets;
  std::vector<TestExpect> expects;
};

// calendar NAME { weekend ... years A..B  source YEAR "..."  holiday D[..D] "..."  working D[..D] "..." }
struct CalendarDays {
  bool working = false;  // `working` (a weekend day that is a working day); else `holiday`
  int64_t from = 0;      // day numbers, inclusive
  int64_t until = 0;
  std::string label;
  Span span;
};

struct CalendarDecl {
  std::string name;
  Span span;
  std::string doc;
  unsigned weekend = 0;      // bit w for ISO weekday w (1 = Monday)
  bool has_weekend = false;
  int first_year = 0, last_year = -1;
  Span years_span;
  std::vector<std::pair<int, std::string>> sources;  // year, text
  std::vector<Span> source_spans;
  std::vector<CalendarDays> days;
};

// for each VAR in COLLECTION [key K] [law as of D] { lets, outputs, rules, obligations }. The
// declarations are in the module's vectors, with `scope` set to this scope's index.
struct ScopeDecl {
  std::string var;
  Span var_span;
  Span span;  // `for each VAR in COLLECTION`
  ExprPtr collection;
  ExprPtr key;  // null: the element's index
  ExprPtr law;  // null: the policy's law date
};

struct Import {
  std::string path;
  Span span;
};

// `law "PATH"`: a law document the file cites (compiler/law/law.h).
struct LawSource {
  std::string path;
  Span span;
  int law = -1;  // driver: the index of the loaded document (CheckedProgram::laws), -1 if it failed
};

// `not encoded "p2", "p5" [of "DOC"] because "REASON"`.
struct NotEncoded {
  std::vector<std::string> ids;
  std::vector<Span> id_spans;
  std::string document;  // empty: the file's first `law`
  Span document_span;
  std::string reason;
  Span span;
  int law = -1;                 // checker
  std::vector<int> paragraphs;  // checker: by id (-1: unresolved)
};

struct Header {
  std::string name;
  Span span;
  std::string title;
  std::string document;
  Effective effective;
};

// One parsed file.
struct Module {
  int file = -1;
  std::optional<Header> header;
  std::vector<Import> imports;
  std::vector<LawSource> laws;  // header and top-level `law "PATH"`, in order
  std::vector<NotEncoded> not_encoded;
  std::vector<EnumDecl> enums;
  std::vector<RecordDecl> records;
  std::vector<InputDecl> inputs;
  std::vector<ParamDecl> params;
  std::vector<LetDecl> lets;
  std::vector<FunctionDecl> functions;
  std::vector<TableDecl> tables;
  std::vector<OutputDecl> outputs;
  std::vector<RuleDecl> rules;
  std::vector<ObligationDecl> obligations;
  std::vector<TestDecl> tests;
  std::vector<CalendarDecl> calendars;
  std::vector<ScopeDecl> scopes;
  ExprPtr law;  // `law as of D` at the top level; null: the evaluation date
  Span law_span;
};

// Proviso source text of an expression (used by explanations and by `--emit=ast`).
std::string ToSource(const Expr& e);
std::string ToSource(const TypeExpr& t);
// The spelling of an operator: "+", ">=" ...
const char* OpText(BinOp op);
const char* QuantText(QuantKind q);  // "any", "filter", ...
const char* SetOpText(SetOp op);     // "union", "intersect", "minus"
const char* HitPolicyText(HitPolicy h);  // "unique", ..., "rule order", "output order"
// `in 0..1439`, `>= 0`, `!= ""`.
std::string ToSource(const FieldCheck& c);
// A stable, indented dump of a module (`proviso compile --emit=ast`).
std::string Dump(const Module& m);

}  // namespace proviso::ast

#endif  // PROVISO_COMPILER_AST_AST_H_
