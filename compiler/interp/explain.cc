// What explanations show: the facts, params, lets and outputs a condition reads, with their values
// (`unknown` for facts not given) and the version of each param read.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"

namespace proviso::interp::internal {

// A condition's value for an explanation: nullopt when it is unknown or cannot be computed.
std::optional<bool> Evaluator::SafeBool(const Expr& e) {
  try {
    Value v = Eval(e);
    if (v.is_unknown()) return std::nullopt;
    return v.b();
  } catch (const EvalError&) {
    return std::nullopt;
  }
}

std::vector<Binding> Evaluator::Bindings(const Expr& e) {
  std::vector<Binding> out;
  CollectBindings(e, out);
  std::vector<Binding> unique;
  for (auto& b : out) {
    if (std::none_of(unique.begin(), unique.end(), [&](const Binding& u) { return u.expr == b.expr; })) {
      unique.push_back(b);
    }
  }
  return unique;
}

// Which version of a param was read, for explanations: " (what-if)", or the version in force on
// the law date with its period and citation when the param has versions or a period.
std::string Evaluator::ParamVersionText(int i) {
  const ir::Param& param = p_.params[i];
  if (opts_.param_overrides.count(i)) return " (what-if)";
  for (const ir::ParamVersion& v : param.versions) {
    if (!v.effective.InForce(frame_.law)) continue;
    if (param.versions.size() == 1 && v.effective.from == INT64_MIN && v.effective.until == INT64_MAX) return "";
    std::string text = fmt::format(" (version in force on {}: from {}", FormatDate(frame_.law),
                                   v.effective.from == INT64_MIN ? "the start" : FormatDate(v.effective.from));
    if (v.effective.until != INT64_MAX) text += " until " + FormatDate(v.effective.until);
    for (const ir::Citation& c : v.citations) {
      text += "; cites " + (c.document.empty() ? c.article : c.document + ", " + c.article);
    }
    return text + ")";
  }
  return "";
}

bool Evaluator::IsFactPath(const Expr& e) {
  if (e.op == Op::kInput || e.op == Op::kItem) return true;
  if (e.op == Op::kUnwrap) return IsFactPath(*e.args[0]);
  return e.op == Op::kField && IsFactPath(*e.args[0]);
}

void Evaluator::CollectBindings(const Expr& e, std::vector<Binding>& out) {
  if (IsFactPath(e) || e.op == Op::kParam || e.op == Op::kLet || e.op == Op::kOutput || e.op == Op::kAsOf ||
      e.op == Op::kNow) {
    try {
      std::string value = Shown(Eval(e), e.type);
      if (e.op == Op::kParam) value += ParamVersionText(e.index);
      out.push_back(Binding{Src(e), value});
    } catch (const EvalError&) {
    }
    return;
  }
  if (e.op == Op::kQuant) {  // the body reads a bound variable: the collection, and what decided
    CollectBindings(*e.args[0], out);
    std::string detail = QuantDetail(e);
    if (!detail.empty()) out.push_back(Binding{Src(e), detail});
    return;
  }
  if (e.op == Op::kTable) {  // the call's value with the rows behind it, then its arguments
    std::string detail = TableDetail(e);
    if (!detail.empty()) out.push_back(Binding{Src(e), detail});
  }
  for (auto& a : e.args) CollectBindings(*a, out);
}

// A value as explanations show it: a collection of more than 5 elements as its size (the elements
// that mattered are shown where a quantifier or a table read them).
std::string Evaluator::Shown(const Value& v, const Type* t) {
  const Type* c = t && t->kind == TypeKind::kOptional ? t->elem : t;
  if (!v.is_unknown() && !v.is_none() && c && (c->kind == TypeKind::kList || c->kind == TypeKind::kSet) &&
      v.elems().size() > 5) {
    return fmt::format("{} of {} elements", c->kind == TypeKind::kList ? "a list" : "a set", v.elems().size());
  }
  std::string s = FormatValue(v, t, p_.types());
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

namespace {

std::string CellText(const ir::Cell& c, const std::function<std::string(const Expr&)>& src) {
  switch (c.kind) {
    case ast::Cell::Kind::kAny: return "_";
    case ast::Cell::Kind::kEqual: return src(*c.values[0]);
    case ast::Cell::Kind::kOneOf: {
      std::string out = "{";
      for (size_t i = 0; i < c.values.size(); ++i) out += (i ? ", " : "") + src(*c.values[i]);
      return out + "}";
    }
    case ast::Cell::Kind::kCompare: return std::string(ast::OpText(c.op)) + " " + src(*c.values[0]);
    case ast::Cell::Kind::kRange: return src(*c.values[0]) + ".." + src(*c.values[1]);
  }
  return "?";
}

}  // namespace

// `4 (rows 2 and 3 matched: row 2 `national_security, {serious, medium}`, row 3 `_, >= 80`; hit
// priority chose row 2)`: the call's value, then the rows and the hit policy's choice.
std::string Evaluator::TableDetail(const Expr& e) {
  const ir::Table& t = p_.tables[e.index];
  std::string value;
  try {
    Value v = Eval(e);
    value = v.is_unknown() ? "unknown" : Shown(v, e.type);
  } catch (const EvalError&) {
    return "";  // not computed on this path (a branch not taken), or failing: nothing to show
  }
  std::vector<Value> frame(locals_.size());
  try {
    for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Eval(*e.args[i]);
  } catch (const EvalError&) {
    return value;
  }
  std::swap(frame, locals_);
  std::vector<int> matches;
  Missing maybe;
  try {
    matches = MatchingRows(e, t, maybe);
  } catch (const EvalError&) {
  }
  std::swap(frame, locals_);
  if (!maybe.empty()) return value + " (some rows may match: they read facts not given)";
  if (matches.empty()) return value + (t.default_result ? " (no row matched: the default row)" : " (no row matched)");
  auto src = [&](const Expr& x) { return Src(x); };
  std::string rows;
  for (size_t k = 0; k < matches.size(); ++k) {
    std::string cells;
    for (size_t c = 0; c < t.rows[matches[k]].cells.size(); ++c) {
      cells += (c ? ", " : "") + CellText(t.rows[matches[k]].cells[c], src);
    }
    rows += fmt::format("{}row {} `{}`", k ? ", " : "", matches[k] + 1, cells);
  }
  std::string chose;
  if (t.hit == ast::HitPolicy::kFirst || (t.hit == ast::HitPolicy::kUnique && matches.size() == 1)) {
    chose = fmt::format("; hit {} chose row {}", ast::HitPolicyText(t.hit), matches[0] + 1);
  } else if (t.hit == ast::HitPolicy::kPriority) {
    int best = matches[0];
    try {
      Value bv = Eval(*t.rows[best].result);
      for (int r : matches) {
        Value rv = Eval(*t.rows[r].result);
        if (RankLess(rv, bv, t.result)) best = r, bv = rv;
      }
      chose = fmt::format("; hit priority chose row {}", best + 1);
    } catch (const EvalError&) {
    }
  } else {
    chose = fmt::format("; hit {} took {}", ast::HitPolicyText(t.hit), matches.size() == 1 ? "it" : "all of them");
  }
  return fmt::format("{} ({} matched: {}{})", value, matches.size() == 1 ? "1 row" : fmt::format("{} rows", matches.size()),
                     rows, chose);
}

// `true: element 3 of 12 decided it ({id: "T-3", ...})`, `2 of 12 elements`: what decided an
// `any`, `all` or `count` (the others: how many elements were read).
std::string Evaluator::QuantDetail(const Expr& e) {
  Value coll;
  try {
    coll = Eval(*e.args[0]);
  } catch (const EvalError&) {
    return "";
  }
  if (coll.is_unknown()) return "";
  const auto& xs = coll.elems();
  const Type* elem = e.args[0]->type->elem;
  Value saved = locals_[e.index];
  std::string out;
  try {
    if (e.quant == ast::QuantKind::kAny || e.quant == ast::QuantKind::kAll || e.quant == ast::QuantKind::kCount) {
      bool any = e.quant == ast::QuantKind::kAny;
      int64_t count = 0, unknown = 0;
      for (size_t i = 0; i < xs.size(); ++i) {
        locals_[e.index] = xs[i];
        Value v = Eval(*e.args[1]);
        if (v.is_unknown()) {
          ++unknown;
          continue;
        }
        count += v.b();
        if (e.quant != ast::QuantKind::kCount && v.b() == any) {
          out = fmt::format("{}: element {} of {} decided it ({})", any ? "true" : "false", i + 1, xs.size(),
                            Shown(xs[i], elem));
          break;
        }
      }
      if (out.empty() && unknown) {
        out = fmt::format("undetermined: {} of the {} elements depend on facts not given", unknown, xs.size());
      } else if (out.empty()) {
        out = e.quant == ast::QuantKind::kCount
                  ? fmt::format("{} of {} elements", count, xs.size())
                  : fmt::format("{}: {} of the {} elements", any ? "false" : "true", any ? "none" : "all", xs.size());
      }
    } else {
      out = fmt::format("over {} element{}", xs.size(), xs.size() == 1 ? "" : "s");
    }
  } catch (const EvalError&) {
    out = "";
  }
  locals_[e.index] = saved;
  return out;
}

}  // namespace proviso::interp::internal
