// Decision tables in the translation to Z3 (Evaluator::TableInFrame for facts that are all given):
// which rows match, the hit policy's choice, and its failures (`unique` with two matches, `any`
// with two different results, no row and no default).
#include <fmt/format.h>

#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

using ast::BinOp;
using ast::HitPolicy;

z3::expr Translator::CellMatches(const ir::Expr& at, const ir::Cell& cell, const Sym& x) {
  switch (cell.kind) {
    case ast::Cell::Kind::kAny: return c_.bool_val(true);
    case ast::Cell::Kind::kEqual: return Equal(x, Eval(*cell.values[0]));
    case ast::Cell::Kind::kOneOf: {
      z3::expr any = c_.bool_val(false);
      for (auto& v : cell.values) {
        Sym y = Under(!any, [&] { return Eval(*v); });
        any = any || Equal(x, y);
      }
      return any;
    }
    case ast::Cell::Kind::kCompare: return CompareOp(at, cell.op, x, Eval(*cell.values[0]));
    case ast::Cell::Kind::kRange: {
      Sym lo = Eval(*cell.values[0]);
      Sym hi = Eval(*cell.values[1]);
      return CompareOp(at, BinOp::kGe, x, lo) && CompareOp(at, BinOp::kLe, x, hi);
    }
  }
  return c_.bool_val(false);
}

Sym Translator::Table(const ir::Expr& e) {
  const ir::Table& t = p_.tables[e.index];
  table_called_[e.index] = true;
  if (++call_depth_ > 64) throw Unsupported("tables calling themselves deeper than 64 calls", e.span());
  std::vector<Sym> frame(locals_.size(), Sym(c_));
  for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Coerce(Eval(*e.args[i]), t.params[i]);
  std::swap(frame, locals_);
  struct Restore {
    Translator* self;
    std::vector<Sym>* frame;
    ~Restore() {
      std::swap(*frame, self->locals_);
      --self->call_depth_;
    }
  } restore{this, &frame};

  // Which rows match (under `first`, only up to the first that does).
  std::vector<z3::expr> match;
  z3::expr earlier = c_.bool_val(false);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    z3::expr reach = t.hit == HitPolicy::kFirst ? !earlier : c_.bool_val(true);
    z3::expr row = c_.bool_val(true);
    for (size_t k = 0; k < t.rows[r].cells.size(); ++k) {
      z3::expr cell = Under(reach && row, [&] { return CellMatches(e, t.rows[r].cells[k], locals_[k]); });
      row = row && cell;
    }
    z3::expr m = reach && row;
    match.push_back(m);
    earlier = earlier || m;
  }
  z3::expr none = !earlier;
  std::vector<z3::expr>& chosen = row_chosen_[e.index];
  auto mark = [&](size_t r, const z3::expr& when) { chosen[r] = chosen[r] || (guard_ && when); };
  auto result = [&](size_t r) { return Under(match[r], [&] { return Coerce(Eval(*t.rows[r].result), t.result); }); };
  auto fallback = [&](const std::string& message) {
    mark(t.rows.size(), none);
    if (t.default_result) return Under(none, [&] { return Coerce(Eval(*t.default_result), t.call); });
    Fail(none, message, e.span());
    return Default(t.call);
  };
  std::string no_row = fmt::format("no row of table `{}` matches", t.name);

  if (t.hit == HitPolicy::kCollect || t.hit == HitPolicy::kRuleOrder || t.hit == HitPolicy::kOutputOrder) {
    for (size_t r = 0; r < t.rows.size(); ++r) mark(r, match[r]);
    switch (t.aggregator) {
      case ast::Aggregator::kNone: {  // the matching rows' results in row order (gapped), else the default's
        if (t.hit == HitPolicy::kOutputOrder) {
          throw Unsupported(fmt::format("table `{}` collecting a list in output order", t.name), e.span());
        }
        Sym list(c_);
        list.kind = TypeKind::kList;
        list.gapped = true;
        for (size_t r = 0; r < t.rows.size(); ++r) {
          list.elems.push_back(result(r));
          list.members.push_back(match[r]);
        }
        if (t.default_result) {
          mark(t.rows.size(), none);
          Sym d = Under(none, [&] { return Eval(*t.default_result); });
          list.elems.push_back(d);
          list.members.push_back(none);
        }
        return list;
      }
      case ast::Aggregator::kCount: {
        Sym n(c_);
        n.kind = TypeKind::kInt;
        n.v = c_.int_val(0);
        for (size_t r = 0; r < t.rows.size(); ++r) {
          result(r);  // evaluated, for its failures
          n.v = n.v + z3::ite(match[r], c_.int_val(1), c_.int_val(0));
        }
        return n;
      }
      case ast::Aggregator::kSum: {
        Sym acc = Default(t.result);
        ir::Expr add;
        add.source = e.source;
        add.bop = BinOp::kAdd;
        for (size_t r = 0; r < t.rows.size(); ++r) {
          Sym v = result(r);
          Sym next = Under(match[r], [&] { return Arith(add, acc, v); });
          acc = Ite(match[r], next, acc);
        }
        if (t.default_result) return Ite(none, fallback(no_row), Coerce(acc, t.call));
        return Coerce(acc, t.call);
      }
      default: {
        BinOp better = t.aggregator == ast::Aggregator::kMin ? BinOp::kLt : BinOp::kGt;
        std::optional<Sym> best;
        z3::expr has = c_.bool_val(false);
        for (size_t r = 0; r < t.rows.size(); ++r) {
          Sym v = result(r);
          z3::expr take = match[r];
          if (best) take = take && (!has || Under(match[r] && has, [&] { return CompareOp(e, better, v, *best); }));
          best = best ? Ite(take, v, *best) : v;
          has = has || match[r];
        }
        Sym d = fallback(no_row);
        return best ? Ite(none, d, Coerce(*best, t.call)) : d;
      }
    }
  }

  std::vector<Sym> results;
  for (size_t r = 0; r < t.rows.size(); ++r) results.push_back(result(r));
  // The first matching row, as a choice among the results.
  auto first_of = [&](const std::vector<z3::expr>& which) {
    Sym v = fallback(no_row);
    for (size_t r = t.rows.size(); r-- > 0;) v = Ite(which[r], Coerce(results[r], t.call), v);
    return v;
  };
  std::vector<z3::expr> first(t.rows.size(), c_.bool_val(false));
  {
    z3::expr before = c_.bool_val(false);
    for (size_t r = 0; r < t.rows.size(); ++r) {
      first[r] = match[r] && !before;
      before = before || match[r];
    }
  }
  switch (t.hit) {
    case HitPolicy::kUnique: {
      z3::expr two = c_.bool_val(false);
      for (size_t r = 0; r < t.rows.size(); ++r) {
        for (size_t q = r + 1; q < t.rows.size(); ++q) two = two || (match[r] && match[q]);
      }
      Fail(two, fmt::format("two rows of table `{}` match, but the hit policy is `unique`", t.name), e.span());
      for (size_t r = 0; r < t.rows.size(); ++r) mark(r, first[r] && !two);
      return first_of(first);
    }
    case HitPolicy::kAny: {
      z3::expr differ = c_.bool_val(false);
      for (size_t r = 0; r < t.rows.size(); ++r) {
        for (size_t q = r + 1; q < t.rows.size(); ++q) {
          differ = differ || (first[r] && match[q] && !Equal(results[r], results[q]));
        }
      }
      Fail(differ, fmt::format("rows of table `{}` match with different results, but the hit policy is `any`", t.name),
           e.span());
      for (size_t r = 0; r < t.rows.size(); ++r) mark(r, first[r]);
      return first_of(first);
    }
    case HitPolicy::kFirst:
      for (size_t r = 0; r < t.rows.size(); ++r) mark(r, first[r]);
      return first_of(first);
    case HitPolicy::kPriority: {
      TypeKind k = t.result->kind;
      if (k != TypeKind::kEnum && k != TypeKind::kInt && k != TypeKind::kDecimal && k != TypeKind::kDate &&
          k != TypeKind::kDateTime) {
        throw Unsupported(fmt::format("the ranking of table `{}`'s results", t.name), e.span());
      }
      // The first in rank wins; ties go to the earlier row.
      std::vector<z3::expr> wins(t.rows.size(), c_.bool_val(false));
      for (size_t r = 0; r < t.rows.size(); ++r) {
        z3::expr w = match[r];
        for (size_t q = 0; q < t.rows.size(); ++q) {
          if (q == r) continue;
          z3::expr beats = q < r ? results[q].v <= results[r].v : results[q].v < results[r].v;
          w = w && !(match[q] && beats);
        }
        wins[r] = w;
        mark(r, w);
      }
      return first_of(wins);
    }
    default: break;
  }
  throw Unsupported(fmt::format("the hit policy of table `{}`", t.name), e.span());
}

}  // namespace proviso::verify::internal
