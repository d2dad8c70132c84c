// Decision tables in the reference interpreter. A row matches, does not, or may (a cell tests an
// unknown value): under `first`, a row that may match before the first that does makes the result
// unknown; under the other hit policies any row that may match does.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"

namespace proviso::interp::internal {

// Whether `x` fits one cell: true, false or unknown.
Value Evaluator::CellMatches(const Expr& at, const ir::Cell& c, const Value& x) {
  if (c.kind == ast::Cell::Kind::kAny) return Value::Bool(true);
  if (HasUnknownPart(x)) return Value::Unknown(DeepMissingOf(x));
  switch (c.kind) {
    case ast::Cell::Kind::kAny: return Value::Bool(true);
    case ast::Cell::Kind::kEqual: {
      Value v = Eval(*c.values[0]);
      if (v.is_unknown()) return v;
      return Value::Bool(x == v);
    }
    case ast::Cell::Kind::kOneOf: {
      Value any = Value::Bool(false);
      for (auto& e : c.values) {
        Value v = Eval(*e);
        any = KleeneOr(any, v.is_unknown() ? v : Value::Bool(x == v));
        if (IsTrue(any)) break;
      }
      return any;
    }
    case ast::Cell::Kind::kCompare: {
      Value v = Eval(*c.values[0]);
      if (v.is_unknown()) return v;
      return Value::Bool(CompareOp(at, c.op, x, v));
    }
    case ast::Cell::Kind::kRange: {
      Value lo = Eval(*c.values[0]);
      Value hi = Eval(*c.values[1]);
      if (lo.is_unknown() || hi.is_unknown()) return UnknownOf({&lo, &hi});
      return Value::Bool(CompareOp(at, BinOp::kGe, x, lo) && CompareOp(at, BinOp::kLe, x, hi));
    }
  }
  return Value::Bool(false);
}

// `a` ranks before `b` (ir::CompareRank); of an optional result, a present value before none.
bool Evaluator::RankLess(const Value& a, const Value& b, const Type* t) const {
  if (t->kind == TypeKind::kOptional) {
    if (a.is_none() || b.is_none()) return !a.is_none() && b.is_none();
    t = t->elem;
  }
  return CompareRank(a, b, t, p_.types()) < 0;
}

// The rows of table `t` (its columns in locals_) that match; under `first` only up to the first
// that does, or that may. `maybe`: the facts that decide the rows that may match.
std::vector<int> Evaluator::MatchingRows(const Expr& e, const ir::Table& t, Missing& maybe) {
  std::vector<int> matches;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    Value row = Value::Bool(true);
    for (size_t c = 0; c < t.rows[r].cells.size() && !IsFalse(row); ++c) {
      row = KleeneAnd(row, CellMatches(e, t.rows[r].cells[c], locals_[c]));
    }
    if (row.is_unknown()) {
      AddMissing(maybe, row);
      if (t.hit == ast::HitPolicy::kFirst) break;
    } else if (row.b()) {
      matches.push_back(static_cast<int>(r));
      if (t.hit == ast::HitPolicy::kFirst) break;
    }
  }
  return matches;
}

Value Evaluator::Table(const Expr& e) {
  return InFrame(e, [&] { return TableInFrame(e); });
}

// The call `e` of a table, its columns in locals_.
Value Evaluator::TableInFrame(const Expr& e) {
  const ir::Table& t = p_.tables[e.index];
  Missing maybe;  // the facts that decide the rows that may match
  std::vector<int> matches = MatchingRows(e, t, maybe);
  if (!maybe.empty()) return Value::Unknown(maybe);
  if (opts_.table_rows) {
    std::vector<bool>& hit = (*opts_.table_rows)[e.index];
    hit.resize(t.rows.size() + 1);
    for (int r : matches) hit[r] = true;
    if (matches.empty() && t.default_result) hit[t.rows.size()] = true;
  }
  auto inputs = [&] {
    std::string s;
    for (size_t i = 0; i < t.params.size(); ++i) s += (i ? ", " : "") + FormatValue(locals_[i], t.params[i], p_.types());
    return s;
  };
  // Results of the matching rows; an unknown one makes the aggregate unknown.
  std::vector<Value> results;
  Missing m;
  auto result_of = [&](int r) {
    Value v = Eval(*t.rows[r].result);
    AddMissing(m, v);
    return v;
  };
  if (t.hit == ast::HitPolicy::kCollect || t.hit == ast::HitPolicy::kRuleOrder || t.hit == ast::HitPolicy::kOutputOrder) {
    for (int r : matches) results.push_back(result_of(r));
    if (!m.empty()) return Value::Unknown(m);
    switch (t.aggregator) {
      case ast::Aggregator::kNone: {  // in row order, or by rank; no row: the default row's result, if any
        if (results.empty() && t.default_result) {
          Value d = Eval(*t.default_result);
          if (d.is_unknown()) return d;
          results.push_back(std::move(d));
        }
        if (t.hit == ast::HitPolicy::kOutputOrder) {
          std::stable_sort(results.begin(), results.end(),
                           [&](const Value& a, const Value& b) { return RankLess(a, b, t.result); });
        }
        return Value::List(std::move(results));
      }
      case ast::Aggregator::kCount: return Value::Int(static_cast<int64_t>(results.size()));
      case ast::Aggregator::kSum: {
        if (results.empty() && t.default_result) return Eval(*t.default_result);
        Value acc = Zero(t.result);
        for (auto& v : results) acc = Arith(AddExpr(e), acc, v);
        return acc;
      }
      default: {
        if (results.empty()) {
          if (t.default_result) return Eval(*t.default_result);
          Fail(e, fmt::format("no row of table `{}` matches ({}), so `collect {}` has no value", t.name, inputs(),
                              t.aggregator == ast::Aggregator::kMin ? "min" : "max"));
        }
        return Best(e, results, t.aggregator == ast::Aggregator::kMin ? BinOp::kLt : BinOp::kGt);
      }
    }
  }
  if (matches.empty()) {
    if (t.default_result) return Eval(*t.default_result);
    Fail(e, fmt::format("no row of table `{}` matches ({})", t.name, inputs()));
  }
  switch (t.hit) {
    case ast::HitPolicy::kUnique:
      if (matches.size() > 1) {
        Fail(e, fmt::format("rows {} and {} of table `{}` both match ({}), but the hit policy is `unique`",
                            matches[0] + 1, matches[1] + 1, t.name, inputs()));
      }
      return Eval(*t.rows[matches[0]].result);
    case ast::HitPolicy::kAny:
    case ast::HitPolicy::kPriority: {
      for (int r : matches) results.push_back(result_of(r));
      if (!m.empty()) return Value::Unknown(m);  // which results agree, or win, depends on facts not given
      Value best = results[0];
      for (size_t i = 1; i < results.size(); ++i) {
        if (t.hit == ast::HitPolicy::kPriority) {
          // The first in rank (earlier enum values first, records field by field); ties: the earlier row.
          if (RankLess(results[i], best, t.result)) best = results[i];
        } else if (results[i] != best) {
          Fail(e, fmt::format("rows {} and {} of table `{}` both match ({}) with different results, but the hit "
                              "policy is `any`",
                              matches[0] + 1, matches[i] + 1, t.name, inputs()));
        }
      }
      return best;
    }
    case ast::HitPolicy::kFirst: return Eval(*t.rows[matches[0]].result);
    default: break;
  }
  Fail(e, "internal error: bad hit policy");
}

}  // namespace proviso::interp::internal
