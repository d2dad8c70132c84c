// Checker: decision tables (cells, hit policies, overlapping rows, missing rows).
#include "compiler/check/checker_impl.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::CheckTable(TableSymbol& t) {
  const ast::TableDecl& d = *t.decl;
  locals_.clear();
  for (size_t i = 0; i < t.params.size(); ++i) {
    locals_.push_back(Local{d.params[i].name, t.params[i], static_cast<int>(i)});
  }
  p_.max_locals = std::max(p_.max_locals, static_cast<int>(locals_.size()));
  Context ctx{false, "a decision table"};
  if (d.hit == ast::HitPolicy::kPriority && t.result->kind != TypeKind::kEnum && t.result->kind != TypeKind::kError) {
    diags_.Error("E0303", d.hit_span, "`hit priority` needs an enum result")
        .help = "the order of the enum's values is the priority: the first declared wins";
  }
  if (d.aggregator == ast::Aggregator::kSum && !IsNumeric(t.result) && t.result->kind != TypeKind::kDuration) {
    diags_.Error("E0303", d.hit_span, fmt::format("`collect sum` cannot sum `{}` results", types_.Name(t.result)));
  }
  if ((d.aggregator == ast::Aggregator::kMin || d.aggregator == ast::Aggregator::kMax) && !IsOrdered(t.result)) {
    diags_.Error("E0303", d.hit_span, fmt::format("`collect min/max` needs ordered results, not `{}`", types_.Name(t.result)));
  }
  std::vector<std::vector<CellSet>> sets;
  for (size_t ri = 0; ri < d.rows.size(); ++ri) {
    const ast::TableRow& row = d.rows[ri];
    std::vector<CellSet> rs;
    if (row.cells.size() != t.params.size()) {
      diags_.Error("E0302", row.span,
                   fmt::format("row {} of table `{}` has {} cell{}, the table has {} column{}", ri + 1, d.name,
                               row.cells.size(), row.cells.size() == 1 ? "" : "s", t.params.size(),
                               t.params.size() == 1 ? "" : "s"));
    }
    for (size_t ci = 0; ci < row.cells.size(); ++ci) {
      const Type* col = ci < t.params.size() ? t.params[ci] : Err();
      rs.push_back(CheckCell(const_cast<ast::Cell&>(row.cells[ci]), col, ctx,
                             ci < d.params.size() ? d.params[ci].name : "?"));
    }
    ExpectType(*row.result, ctx, t.result, fmt::format("the result of row {} of `{}`", ri + 1, d.name));
    sets.push_back(std::move(rs));
  }
  if (d.default_result) {
    ExpectType(*d.default_result, ctx, t.result, fmt::format("the default of `{}`", d.name));
    if (d.hit == ast::HitPolicy::kCollect &&
        (d.aggregator == ast::Aggregator::kNone || d.aggregator == ast::Aggregator::kCount)) {
      diags_.Error("E0308", d.default_span,
                   fmt::format("a `default` row has no meaning in `hit collect{}`: no match gives {}",
                               d.aggregator == ast::Aggregator::kCount ? " count" : "",
                               d.aggregator == ast::Aggregator::kCount ? "0" : "an empty list"))
          .help = "remove the `default` row";
    }
  }
  locals_.clear();
  // Overlaps that make `unique` (or disagreeing `any`) fail on some input.
  if (d.hit == ast::HitPolicy::kUnique || d.hit == ast::HitPolicy::kAny) {
    for (size_t a = 0; a < sets.size(); ++a) {
      for (size_t b = 0; b < a; ++b) {
        if (sets[a].size() != t.params.size() || sets[b].size() != t.params.size()) continue;
        bool overlap = true;
        for (size_t c = 0; c < sets[a].size() && overlap; ++c) overlap = sets[a][c].SurelyOverlaps(sets[b][c]);
        if (!overlap) continue;
        if (d.hit == ast::HitPolicy::kAny &&
            ast::ToSource(*d.rows[a].result) == ast::ToSource(*d.rows[b].result)) {
          continue;
        }
        auto& diag = diags_.Error(
            "E0304", d.rows[a].span,
            d.hit == ast::HitPolicy::kUnique
                ? fmt::format("rows {} and {} of table `{}` overlap, but the hit policy is `unique`", b + 1, a + 1, d.name)
                : fmt::format("rows {} and {} of table `{}` overlap with different results, but the hit policy is `any`", b + 1, a + 1, d.name));
        diag.notes.push_back({d.rows[b].span, fmt::format("row {} matches the same input", b + 1)});
        diag.help = "make the rows exclusive, or choose another hit policy (`first`, `priority`, `collect`)";
      }
    }
  }
  // Completeness over enum and bool columns, when there is no default.
  if (!d.default_result && d.hit != ast::HitPolicy::kCollect && !t.params.empty()) {
    std::vector<int64_t> sizes;
    int64_t total = 1;
    for (const Type* p : t.params) {
      int64_t n = p->kind == TypeKind::kEnum ? static_cast<int64_t>(types_.enum_info(p->index).variants.size())
                  : p->kind == TypeKind::kBool ? 2 : 0;
      if (n == 0) return;
      sizes.push_back(n);
      total *= n;
      if (total > 4096) return;
    }
    std::vector<std::string> gaps;
    int gap_count = 0;
    for (int64_t combo = 0; combo < total; ++combo) {
      std::vector<int64_t> vals;
      int64_t rest = combo;
      for (size_t c = sizes.size(); c-- > 0;) {
        vals.insert(vals.begin(), rest % sizes[c]);
        rest /= sizes[c];
      }
      bool covered = false;
      for (auto& rs : sets) {
        if (rs.size() != vals.size()) continue;
        bool all = true;
        for (size_t c = 0; c < vals.size() && all; ++c) all = rs[c].Contains(vals[c]);
        if (all) { covered = true; break; }
      }
      if (covered) continue;
      ++gap_count;
      if (gaps.size() < 3) {
        std::string g = "(";
        for (size_t c = 0; c < vals.size(); ++c) {
          const Type* p = t.params[c];
          g += (c ? ", " : "") + (p->kind == TypeKind::kEnum ? types_.enum_info(p->index).variants[vals[c]]
                                                           : std::string(vals[c] ? "true" : "false"));
        }
        gaps.push_back(g + ")");
      }
    }
    if (gap_count > 0) {
      std::string list;
      for (size_t i = 0; i < gaps.size(); ++i) list += (i ? ", " : "") + gaps[i];
      if (gap_count > 3) list += fmt::format(" and {} more", gap_count - 3);
      diags_.Error("E0305", d.span, fmt::format("table `{}` has no row for {}", d.name, list))
          .help = "add rows for these inputs, or a `default => ...` row";
    }
  }
}

// The constant value of a literal or enum value, for table analysis.
std::optional<int64_t> Checker::ConstInt(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kInt: case ExprKind::kDate: case ExprKind::kDateTime: case ExprKind::kBool: return e.int_value;
    case ExprKind::kDecimal: {
      int64_t v;
      if (ParseDecimal(e.text, &v)) return v;
      return std::nullopt;
    }
    case ExprKind::kName:
      if (e.ref == RefKind::kEnumValue) return e.variant;
      return std::nullopt;
    case ExprKind::kNeg: {
      auto v = ConstInt(*e.args[0]);
      if (v && e.args[0]->kind != ExprKind::kDate && e.args[0]->kind != ExprKind::kDateTime) return -*v;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

CellSet Checker::CheckCell(ast::Cell& cell, const Type* col, const Context& ctx,
                           const std::string& column) {
  CellSet s;
  auto value = [&](Expr& e) {
    ExpectType(e, ctx, col, fmt::format("a cell of column `{}`", column));
    if (e.kind == ExprKind::kText) {
      s.texts.insert(e.text);
      return;
    }
    auto v = ConstInt(e);
    if (v) s.ranges.push_back({*v, *v});
    else s.known = false;
  };
  switch (cell.kind) {
    case ast::Cell::Kind::kAny: s.any = true; break;
    case ast::Cell::Kind::kEqual: value(*cell.values[0]); break;
    case ast::Cell::Kind::kOneOf:
      for (auto& v : cell.values) value(*v);
      break;
    case ast::Cell::Kind::kCompare:
      if (cell.op == ast::BinOp::kNe && !IsOrdered(col)) {  // `!= v` needs equality only
        ExpectType(*cell.values[0], ctx, col, fmt::format("a cell of column `{}`", column));
        s.known = false;
        break;
      }
      [[fallthrough]];
    case ast::Cell::Kind::kRange: {
      if (!IsOrdered(col) && col->kind != TypeKind::kError) {
        diags_.Error("E0306", cell.span,
                     fmt::format("column `{}` is `{}`, which has no order: use a value or `{{a, b}}`", column,
                                 types_.Name(col)));
      }
      for (auto& v : cell.values) ExpectType(*v, ctx, col, fmt::format("a cell of column `{}`", column));
      auto a = ConstInt(*cell.values[0]);
      if (col->kind == TypeKind::kDuration || !a) {
        s.known = false;
        break;
      }
      if (cell.kind == ast::Cell::Kind::kRange) {
        auto b = ConstInt(*cell.values[1]);
        if (!b) { s.known = false; break; }
        if (*b < *a) {
          diags_.Error("E0307", cell.span, "this range is empty: its low end is above its high end");
        }
        s.ranges.push_back({*a, *b});
      } else {
        switch (cell.op) {
          case ast::BinOp::kLt: s.ranges.push_back({INT64_MIN, *a - 1}); break;
          case ast::BinOp::kLe: s.ranges.push_back({INT64_MIN, *a}); break;
          case ast::BinOp::kGt: s.ranges.push_back({*a + 1, INT64_MAX}); break;
          case ast::BinOp::kGe: s.ranges.push_back({*a, INT64_MAX}); break;
          default:
            s.ranges.push_back({INT64_MIN, *a - 1});
            s.ranges.push_back({*a + 1, INT64_MAX});
            break;
        }
      }
      break;
    }
  }
  return s;
}

}  // namespace proviso::check_internal
