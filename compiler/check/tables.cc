// Checker: decision tables (cells, hit policies, overlapping rows, missing rows).
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

// Whether two (checked) results are the same value: records field by field whatever the order
// they are written in, decimals by value (`2.5`, `2.50`), enum values however qualified; other
// expressions by their text.
bool Checker::SameResult(const Expr& a, const Expr& b) {
  if (a.kind == ExprKind::kRecord && b.kind == ExprKind::kRecord && a.type == b.type &&
      a.record_order.size() == b.record_order.size()) {
    for (size_t f = 0; f < a.record_order.size(); ++f) {
      int x = a.record_order[f], y = b.record_order[f];
      if ((x < 0) != (y < 0)) return false;  // one takes the field's default: compare the text
      if (x >= 0 && !SameResult(*a.args[x], *b.args[y])) return false;
    }
    return true;
  }
  if (a.kind == ExprKind::kName && b.kind == ExprKind::kName && a.ref == RefKind::kEnumValue &&
      b.ref == RefKind::kEnumValue) {
    return a.index == b.index && a.variant == b.variant;
  }
  // Numbers by value, a unary minus included (`-2.5`, `-2.50`).
  std::function<std::optional<int64_t>(const Expr&)> units = [&](const Expr& e) -> std::optional<int64_t> {
    int64_t v = 0;
    if (e.kind == ExprKind::kNeg) {
      auto inner = units(*e.args[0]);
      return inner ? std::optional<int64_t>(-*inner) : std::nullopt;
    }
    if (e.kind == ExprKind::kDecimal) return ParseDecimal(e.text, &v) ? std::optional<int64_t>(v) : std::nullopt;
    if (e.kind != ExprKind::kInt || e.int_value > INT64_MAX / 1000000 || e.int_value < INT64_MIN / 1000000) {
      return std::nullopt;
    }
    return e.int_value * 1000000;
  };
  if (auto x = units(a)) {
    if (auto y = units(b)) return *x == *y;
  }
  return ast::ToSource(a) == ast::ToSource(b);
}

void Checker::CheckTable(TableSymbol& t) {
  const ast::TableDecl& d = *t.decl;
  int errors_before = diags_.ErrorCount();
  locals_.clear();
  for (size_t i = 0; i < t.params.size(); ++i) {
    locals_.push_back(Local{d.params[i].name, t.params[i], static_cast<int>(i)});
  }
  p_.max_locals = std::max(p_.max_locals, static_cast<int>(locals_.size()));
  Context ctx{false, "a decision table"};
  const Type* rt = t.result->kind == TypeKind::kOptional ? t.result->elem : t.result;  // `default => none`
  bool enum_ranked = rt->kind == TypeKind::kEnum ||
                     (rt->kind == TypeKind::kRecord && [&] {
                       for (const auto& f : types_.record_info(rt->index).fields) {
                         if (f.type->kind == TypeKind::kEnum) return true;
                       }
                       return false;
                     }());
  if (d.hit == ast::HitPolicy::kPriority && !enum_ranked && t.result->kind != TypeKind::kError) {
    diags_.Error("E0303", d.hit_span, fmt::format("`hit priority` needs an enum result, or a record with an enum field, "
                                                  "not `{}`", types_.Name(t.result)))
        .help = "the order of the enum's values is the priority: the first declared wins (a record's fields rank in "
                "order)";
  }
  if (d.hit == ast::HitPolicy::kOutputOrder && !Ranks(rt, types_) && t.result->kind != TypeKind::kError) {
    diags_.Error("E0303", d.hit_span, fmt::format("`hit output order` needs results that rank (an enum, a number, a "
                                                  "date, or a record with such a field), not `{}`",
                                                  types_.Name(t.result)))
        .help = "`hit rule order` keeps the rows' order";
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
    if (d.hit == ast::HitPolicy::kCollect && d.aggregator == ast::Aggregator::kCount) {
      diags_.Error("E0308", d.default_span, "a `default` row has no meaning in `hit collect count`: no match gives 0")
          .help = "remove the `default` row";
    }
  }
  locals_.clear();
  // Overlaps that make `unique` (or disagreeing `any`) fail on some input.
  if (d.hit == ast::HitPolicy::kUnique || d.hit == ast::HitPolicy::kAny) {
    // One diagnostic per row (the first earlier row it overlaps), and at most kMaxOverlapRows rows:
    // a table of a thousand identical rows is one mistake, not half a million.
    constexpr int kMaxOverlapRows = 20;
    int reported = 0;
    for (size_t a = 0; a < sets.size() && reported <= kMaxOverlapRows; ++a) {
      for (size_t b = 0; b < a; ++b) {
        if (sets[a].size() != t.params.size() || sets[b].size() != t.params.size()) continue;
        bool overlap = true;
        for (size_t c = 0; c < sets[a].size() && overlap; ++c) overlap = sets[a][c].SurelyOverlaps(sets[b][c]);
        if (!overlap) continue;
        if (d.hit == ast::HitPolicy::kAny && SameResult(*d.rows[a].result, *d.rows[b].result)) continue;
        auto& diag = diags_.Error(
            "E0304", d.rows[a].span,
            d.hit == ast::HitPolicy::kUnique
                ? fmt::format("rows {} and {} of table `{}` overlap, but the hit policy is `unique`", b + 1, a + 1, d.name)
                : fmt::format("rows {} and {} of table `{}` overlap with different results, but the hit policy is `any`", b + 1, a + 1, d.name));
        if (++reported > kMaxOverlapRows) {
          diag.message = fmt::format("more rows of table `{}` overlap (the first {} are reported)", d.name, kMaxOverlapRows);
          diag.notes.clear();
        } else {
          diag.notes.push_back({d.rows[b].span, fmt::format("row {} matches the same input", b + 1)});
        }
        diag.help = "make the rows exclusive, or choose another hit policy (`first`, `priority`, `collect`)";
        break;
      }
    }
  }
  if (diags_.ErrorCount() == errors_before &&  // cells with errors would be misread
      (d.hit == ast::HitPolicy::kFirst || (d.hit == ast::HitPolicy::kPriority && enum_ranked))) {
    WarnUnreachableRows(t, sets);
  }
  // Completeness over enum and bool columns, when there is no default.
  if (!d.default_result && d.hit != ast::HitPolicy::kCollect && d.hit != ast::HitPolicy::kRuleOrder &&
      d.hit != ast::HitPolicy::kOutputOrder && !t.params.empty()) {
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
namespace {

// The elementary pieces of one column's values that the cells of a table tell apart: each is inside
// or outside every cell. Numbers, dates and enum codes: intervals between the cells' bounds (an
// enum or bool: each value); texts: each text a cell names, and one for every other text.
struct Pieces {
  bool text = false;
  std::vector<int64_t> starts;      // a representative (the start) of each interval
  std::vector<std::string> texts;   // the texts named, then "" standing for any other (last)
  size_t size() const { return text ? texts.size() + 1 : starts.size(); }
  bool In(const CellSet& c, size_t k) const {
    if (c.any) return true;
    if (text) return k < texts.size() && c.texts.count(texts[k]) > 0;
    return c.Contains(starts[k]);
  }
};

Pieces PiecesOf(const Type* col, const TypeTable& types, const std::vector<const CellSet*>& cells) {
  Pieces p;
  if (col->kind == TypeKind::kText) {
    p.text = true;
    std::set<std::string> named;
    for (const CellSet* c : cells) named.insert(c->texts.begin(), c->texts.end());
    p.texts.assign(named.begin(), named.end());
    return p;
  }
  int64_t n = col->kind == TypeKind::kEnum ? static_cast<int64_t>(types.enum_info(col->index).variants.size())
              : col->kind == TypeKind::kBool ? 2 : -1;
  if (n >= 0) {
    for (int64_t v = 0; v < n; ++v) p.starts.push_back(v);
    return p;
  }
  std::set<int64_t> cuts{INT64_MIN};
  for (const CellSet* c : cells) {
    for (auto& [lo, hi] : c->ranges) {
      cuts.insert(lo);
      if (hi != INT64_MAX) cuts.insert(hi + 1);
    }
  }
  p.starts.assign(cuts.begin(), cuts.end());
  return p;
}

}  // namespace

// The ranks of a constant result (`hit priority`): its enum value, or a record literal's fields
// that rank, in order; nullopt when not constant.
std::optional<std::vector<int64_t>> Checker::RankKey(const Expr& e, const Type* t) {
  if (t->kind == TypeKind::kOptional) t = t->elem;
  if (t->kind == TypeKind::kRecord) {
    if (e.kind != ExprKind::kRecord) return std::nullopt;
    std::vector<int64_t> key;
    const auto& fields = types_.record_info(t->index).fields;
    for (size_t f = 0; f < fields.size() && f < e.record_order.size(); ++f) {
      if (!Ranks(fields[f].type, types_)) continue;
      if (e.record_order[f] < 0) return std::nullopt;
      auto part = RankKey(*e.args[e.record_order[f]], fields[f].type);
      if (!part) return std::nullopt;
      key.insert(key.end(), part->begin(), part->end());
    }
    return key;
  }
  if (!Ranks(t, types_)) return std::vector<int64_t>{};
  auto v = ConstInt(e);
  if (!v) return std::nullopt;
  return std::vector<int64_t>{*v};
}

// Rows no input can choose, a warning each: under `first`, a row every input of which an earlier
// row matches; under `priority`, a row every input of which a row of a better (or, earlier, the
// same) rank matches. Decided over cells of constants, by trying one input from each piece of the
// columns (up to 4096 per row); a row that reads other values is not judged.
void Checker::WarnUnreachableRows(const TableSymbol& t, const std::vector<std::vector<CellSet>>& sets) {
  const ast::TableDecl& d = *t.decl;
  size_t cols = t.params.size();
  for (const auto& rs : sets) {
    if (rs.size() != cols) return;
  }
  std::vector<std::optional<std::vector<int64_t>>> keys;
  if (d.hit == ast::HitPolicy::kPriority) {
    for (const auto& row : d.rows) keys.push_back(RankKey(*row.result, t.result));
  }
  for (size_t r = 0; r < sets.size(); ++r) {
    auto known = [&](size_t q) {
      for (const CellSet& c : sets[q]) if (!c.known) return false;
      return true;
    };
    // The rows that beat r wherever they match (and share an input with it: the others cannot hide
    // any of it, and leaving them out keeps the check near-linear for rows that do not overlap).
    std::vector<size_t> rivals;
    if (!known(r)) continue;
    for (size_t q = 0; q < sets.size(); ++q) {
      if (q == r || !known(q)) continue;
      bool overlaps = true;
      for (size_t c = 0; c < cols && overlaps; ++c) overlaps = sets[r][c].SurelyOverlaps(sets[q][c]);
      if (!overlaps) continue;
      if (d.hit == ast::HitPolicy::kFirst) {
        if (q < r) rivals.push_back(q);
      } else if (keys[q] && keys[r] && (*keys[q] < *keys[r] || (*keys[q] == *keys[r] && q < r))) {
        rivals.push_back(q);
      }
    }
    if (rivals.empty() || !known(r)) continue;
    std::vector<Pieces> pieces;
    std::vector<std::vector<size_t>> inside;  // per column, r's pieces
    size_t combos = 1;
    for (size_t c = 0; c < cols; ++c) {
      std::vector<const CellSet*> cells{&sets[r][c]};
      for (size_t q : rivals) cells.push_back(&sets[q][c]);
      pieces.push_back(PiecesOf(t.params[c], types_, cells));
      std::vector<size_t> in;
      for (size_t k = 0; k < pieces[c].size(); ++k) if (pieces[c].In(sets[r][c], k)) in.push_back(k);
      if (in.empty()) combos = SIZE_MAX;  // an empty cell (E0307): nothing to judge
      else combos *= in.size();
      inside.push_back(std::move(in));
      if (combos > 4096) break;
    }
    if (combos > 4096) continue;
    bool reachable = false;
    std::vector<size_t> at(cols, 0);
    for (size_t n = 0; n < combos && !reachable; ++n) {
      size_t rest = n;
      for (size_t c = cols; c-- > 0;) {
        at[c] = inside[c][rest % inside[c].size()];
        rest /= inside[c].size();
      }
      bool beaten = false;
      for (size_t q : rivals) {
        bool all = true;
        for (size_t c = 0; c < cols && all; ++c) all = pieces[c].In(sets[q][c], at[c]);
        if (all) { beaten = true; break; }
      }
      reachable = !beaten;
    }
    if (reachable) continue;
    auto& w = diags_.Warning("W0105", d.rows[r].span,
                             d.hit == ast::HitPolicy::kFirst
                                 ? fmt::format("row {} of table `{}` is never chosen: earlier rows match every input it does",
                                               r + 1, d.name)
                                 : fmt::format("row {} of table `{}` is never chosen: wherever it matches, a row with a "
                                               "result of higher priority matches too",
                                               r + 1, d.name));
    w.help = d.hit == ast::HitPolicy::kFirst ? "move it above the rows that cover it, or remove it"
                                             : "remove it, or change its cells or its result";
  }
}

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
