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
  enum class Kind { kBool, kInt, kDecimal, kText, kDate, kDuration, kNamed, kSet, kList, kOptional };
  Kind kind = Kind::kInt;
  std::string name;                // kNamed
  std::unique_ptr<TypeExpr> elem;  // kSet, kList, kOptional
  Span span;
};

enum class ExprKind {
  kInt, kDecimal, kText, kDate, kDuration, kBool, kNone, kAsOf,
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
  kQuant,     // quant var in args[0]: args[1]
  kList, kSet, kRecord,
  kMatch,     // match args[0] { arms }
};

enum class BinOp { kAdd, kSub, kMul, kDiv, kLt, kLe, kGt, kGe, kEq, kNe };
enum class QuantKind { kAny, kAll, kCount, kSum, kMin, kMax };
enum class DurationUnit { kDay, kWeek, kMonth, kYear };

// What a name or call refers to, filled in by the checker.
enum class RefKind {
  kUnresolved, kInput, kParam, kLet, kOutput, kLocal, kEnumValue, kFunction, kTable, kBuiltin,
  kRecordField,  // kField: index = field index
};
enum class Builtin { kMin, kMax, kCount, kSum, kYear, kMonth, kDay, kDays };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct MatchArm {
  std::vector<std::string> patterns;  // empty = `_`
  std::vector<Span> pattern_spans;
  ExprPtr body;
  Span span;
  std::vector<int> variants;  // checker: resolved variant indexes
};

struct Expr {
  ExprKind kind;
  Span span;
  std::string name;       // kName, kField (field), kCall (callee), kQuant (bound variable)
  int64_t int_value = 0;  // kInt, kDate (day number), kDuration (amount), kBool
  std::string text;       // kText value; kDecimal spelling
  DurationUnit unit = DurationUnit::kDay;
  BinOp op = BinOp::kAdd;
  QuantKind quant = QuantKind::kAny;
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
  std::vector<int> record_order;  // kRecord: for each record field, the literal's entry or -1
};

struct Effective {
  bool present = false;
  int64_t from = INT64_MIN;  // day number, inclusive
  int64_t until = INT64_MAX; // day number, exclusive
  Span span;
};

struct Citation {
  std::string article;
  std::string document;  // empty: the file's `document`
  Span span;
};

struct FieldDecl {
  std::string name;
  Span span;
  std::unique_ptr<TypeExpr> type;
  ExprPtr dflt;
};

struct EnumDecl {
  std::string name;
  Span span;
  std::vector<std::string> variants;
  std::vector<Span> variant_spans;
  std::string doc;
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
  std::string doc;
};

struct LetDecl {
  std::string name;
  Span span;
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

enum class HitPolicy { kUnique, kAny, kFirst, kPriority, kCollect };
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
  std::vector<TableRow> rows;
  ExprPtr default_result;
  Span default_span;
  std::string doc;
};

struct OutputDecl {
  std::string name;
  Span span;
  std::unique_ptr<TypeExpr> type;
  std::string doc;
};

struct NameRef {
  std::string name;
  Span span;
};

struct RuleDecl {
  std::string name;
  Span span;
  std::optional<NameRef> exception_to;
  std::optional<int64_t> priority;
  ExprPtr when;
  std::optional<NameRef> target;
  ExprPtr value;
  Effective effective;
  std::vector<Citation> citations;
  std::string doc;
};

enum class Modality { kMust, kMustNot, kMay };

struct ObligationDecl {
  std::string name;
  Span span;
  std::optional<NameRef> exception_to;
  std::optional<int64_t> priority;
  std::string subject;
  std::optional<Modality> modality;
  std::string action;
  ExprPtr when;
  ExprPtr deadline;        // a date, or a duration when deadline_after is set
  ExprPtr deadline_after;  // `deadline D after E`: E is the event date
  ExprPtr violated;
  Effective effective;
  std::vector<Citation> citations;
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
  ExprPtr value;                 // kValue
  std::optional<bool> violated;  // kObligation
  ExprPtr deadline;              // kObligation
  std::string error_text;        // kError
};

struct TestDecl {
  std::string name;
  Span span;
  std::optional<int64_t> as_of;
  Span as_of_span;
  std::vector<TestGiven> givens;
  std::vector<TestSet> sets;
  std::vector<TestExpect> expects;
};

struct Import {
  std::string path;
  Span span;
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
};

// Proviso source text of an expression (used by explanations and by `--emit=ast`).
std::string ToSource(const Expr& e);
std::string ToSource(const TypeExpr& t);
// A stable, indented dump of a module (`proviso compile --emit=ast`).
std::string Dump(const Module& m);

}  // namespace proviso::ast

#endif  // PROVISO_COMPILER_AST_AST_H_
