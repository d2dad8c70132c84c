#include "compiler/interp/interp.h"

#include <algorithm>

#include <fmt/format.h>

namespace proviso::interp {
namespace {

using ir::Expr;
using ir::Op;
using ast::BinOp;

class Evaluator {
 public:
  Evaluator(const ir::Program& p, const Value& facts, const EvalOptions& o)
      : p_(p), facts_(facts), opts_(o), lets_(p.lets.size()), outputs_(p.outputs.size()),
        output_state_(p.outputs.size(), 0), let_state_(p.lets.size(), 0) {
    locals_.resize(std::max(1, p.max_locals));
    params_.resize(p.params.size());
    for (size_t i = 0; i < p.params.size(); ++i) {
      auto ov = o.param_overrides.find(static_cast<int>(i));
      if (ov != o.param_overrides.end()) {
        params_[i] = ov->second;
      } else if (const Value* v = ParamInForce(p.params[i], o.as_of)) {
        params_[i] = *v;
      } else {
        param_missing_.push_back(static_cast<int>(i));
      }
    }
    if (o.explain) traces_.resize(p.outputs.size());
  }

  Result Run() {
    Result r;
    for (size_t i = 0; i < p_.outputs.size(); ++i) r.outputs.push_back(Output(static_cast<int>(i)));
    std::vector<bool> applies(p_.obligations.size(), false);
    for (size_t i = 0; i < p_.obligations.size(); ++i) {
      const ir::Obligation& o = p_.obligations[i];
      applies[i] = o.effective.InForce(opts_.as_of) && (!o.when || Eval(*o.when).b());
    }
    // An applicable exception replaces the obligation it is an exception to (transitively).
    std::vector<bool> replaced(p_.obligations.size(), false);
    for (size_t i = 0; i < p_.obligations.size(); ++i) {
      if (!applies[i]) continue;
      for (int a = p_.obligations[i].parent; a >= 0; a = p_.obligations[a].parent) replaced[a] = true;
    }
    for (size_t i = 0; i < p_.obligations.size(); ++i) {
      if (!applies[i]) continue;
      if (replaced[i]) {
        r.suppressed_obligations.push_back(static_cast<int>(i));
        continue;
      }
      const ir::Obligation& o = p_.obligations[i];
      ObligationResult res;
      res.obligation = static_cast<int>(i);
      if (o.deadline) {
        Value d = Eval(*o.deadline);
        if (!d.is_none()) res.deadline = d.i;
      }
      res.violated = o.violated && Eval(*o.violated).b();
      if (opts_.explain) {
        if (o.when) res.bindings = Bindings(*o.when);
        if (o.violated) res.violation_bindings = Bindings(*o.violated);
        if (o.parent >= 0 && applies[o.parent]) res.replaces = o.parent;
      }
      r.obligations.push_back(std::move(res));
    }
    r.trace = std::move(traces_);
    return r;
  }

  Value LetValue(int i) {
    if (let_state_[i] == 2) return *lets_[i];
    if (let_state_[i] == 1) throw EvalError(fmt::format("`{}` depends on itself", p_.lets[i].name), p_.lets[i].span);
    let_state_[i] = 1;
    lets_[i] = Eval(*p_.lets[i].value);
    let_state_[i] = 2;
    return *lets_[i];
  }

 private:
  [[noreturn]] void Fail(const Expr& e, const std::string& message) { throw EvalError(message, e.span()); }

  std::string Src(const Expr& e) { return e.source ? ast::ToSource(*e.source) : "?"; }

  // ---------------------------------------------------------------- outputs and default logic

  struct Yield {
    Value value;
    int rule;
  };

  Value Output(int o) {
    if (output_state_[o] == 2) return *outputs_[o];
    const ir::Output& out = p_.outputs[o];
    if (output_state_[o] == 1) throw EvalError(fmt::format("`{}` depends on itself", out.name), out.span);
    output_state_[o] = 1;
    std::optional<Yield> y = Choose(out.roots, fmt::format("output `{}`", out.name), o);
    if (opts_.explain) {
      traces_[o].output = o;
      traces_[o].winner = y ? y->rule : -1;
    }
    if (!y) {
      if (out.type->kind != TypeKind::kOptional) {
        throw EvalError(fmt::format("no rule applies to output `{}`, so the decision is incomplete", out.name),
                        out.span);
      }
      outputs_[o] = Value::None();
    } else {
      outputs_[o] = y->value;
    }
    output_state_[o] = 2;
    return *outputs_[o];
  }

  // The value given by a group of sibling rules: the highest priority applicable one; two applicable
  // with the same priority and different values is a conflict.
  std::optional<Yield> Choose(const std::vector<int>& rules, const std::string& what, int output) {
    // A sibling competes with its own priority, whichever of its exceptions gave the value.
    std::vector<std::pair<int, Yield>> yields;  // (sibling, its value)
    for (int r : rules) {
      if (auto y = RuleValue(r, output)) yields.push_back({r, *y});
    }
    if (yields.empty()) return std::nullopt;
    int64_t best = INT64_MIN;
    for (const auto& [r, y] : yields) best = std::max(best, p_.rules[r].priority);
    std::vector<std::pair<int, Yield>> top;
    for (const auto& [r, y] : yields) {
      if (p_.rules[r].priority == best) top.push_back({r, y});
      else Trace(output, r).status = RuleStatus::kLostOnPriority;
    }
    if (top.size() > 1) {  // even with equal values: the law gives no way to choose (as Catala)
      const ir::Rule& a = p_.rules[top[0].first];
      const ir::Rule& b = p_.rules[top[1].first];
      throw EvalError(fmt::format("rules `{}` and `{}` both apply to {} and neither has priority (conflict)",
                                  a.name, b.name, what),
                      b.span);
    }
    return top[0].second;
  }

  RuleTrace& Trace(int output, int rule) {
    static thread_local RuleTrace dummy;
    if (!opts_.explain) return dummy;
    auto& rs = traces_[output].rules;
    for (auto& t : rs) if (t.rule == rule) return t;
    rs.push_back(RuleTrace{rule, RuleStatus::kNotApplicable, std::nullopt, {}, -1});
    return rs.back();
  }

  // A rule yields the value of its most specific applicable exception, else its own value when it
  // is in force and its condition holds.
  std::optional<Yield> RuleValue(int r, int output) {
    const ir::Rule& rule = p_.rules[r];
    std::optional<Yield> ex = Choose(rule.children, fmt::format("the exceptions to rule `{}`", rule.name), output);
    if (ex) {
      if (opts_.explain) {
        RuleTrace& t = Trace(output, r);
        t.status = RuleStatus::kOverridden;
        t.overridden_by = ex->rule;
        if (rule.effective.InForce(opts_.as_of) && rule.when) {
          t.condition = SafeBool(*rule.when);
          t.bindings = Bindings(*rule.when);
        }
      }
      return ex;
    }
    if (!rule.effective.InForce(opts_.as_of)) {
      Trace(output, r).status = RuleStatus::kNotInForce;
      return std::nullopt;
    }
    bool holds = !rule.when || Eval(*rule.when).b();
    if (opts_.explain) {
      RuleTrace& t = Trace(output, r);
      t.status = holds ? RuleStatus::kApplied : RuleStatus::kNotApplicable;
      if (rule.when) {
        t.condition = holds;
        t.bindings = Bindings(*rule.when);
      }
    }
    if (!holds) return std::nullopt;
    Value value = Eval(*rule.value);
    if (opts_.explain) {  // what the value was computed from
      RuleTrace& t = Trace(output, r);
      for (Binding& b : Bindings(*rule.value)) {
        if (std::none_of(t.bindings.begin(), t.bindings.end(), [&](const Binding& x) { return x.expr == b.expr; })) {
          t.bindings.push_back(std::move(b));
        }
      }
    }
    return Yield{std::move(value), r};
  }

  std::optional<bool> SafeBool(const Expr& e) {
    try {
      return Eval(e).b();
    } catch (const EvalError&) {
      return std::nullopt;
    }
  }

  // The facts, params, lets and outputs a condition reads, with their values.
  std::vector<Binding> Bindings(const Expr& e) {
    std::vector<Binding> out;
    CollectBindings(e, out);
    std::vector<Binding> unique;
    for (auto& b : out) {
      if (std::none_of(unique.begin(), unique.end(), [&](const Binding& u) { return u.expr == b.expr; })) unique.push_back(b);
    }
    return unique;
  }

  static bool IsFactPath(const Expr& e) {
    if (e.op == Op::kInput) return true;
    return e.op == Op::kField && IsFactPath(*e.args[0]);
  }

  void CollectBindings(const Expr& e, std::vector<Binding>& out) {
    if (IsFactPath(e) || e.op == Op::kParam || e.op == Op::kLet || e.op == Op::kOutput || e.op == Op::kAsOf) {
      try {
        out.push_back(Binding{Src(e), FormatValue(Eval(e), e.type, p_.types())});
      } catch (const EvalError&) {
      }
      return;
    }
    if (e.op == Op::kQuant) {  // the body reads a bound variable: show the collection only
      CollectBindings(*e.args[0], out);
      return;
    }
    for (auto& a : e.args) CollectBindings(*a, out);
  }

  // ---------------------------------------------------------------- expressions

  Value Eval(const Expr& e) {
    switch (e.op) {
      case Op::kConst: return e.constant;
      case Op::kInput: return facts_.elems().at(e.index);
      case Op::kParam:
        if (std::find(param_missing_.begin(), param_missing_.end(), e.index) != param_missing_.end()) {
          Fail(e, fmt::format("param `{}` has no version in force on {}", p_.params[e.index].name,
                              FormatDate(opts_.as_of)));
        }
        return params_[e.index];
      case Op::kLet: return LetValue(e.index);
      case Op::kOutput: return Output(e.index);
      case Op::kLocal: return locals_.at(e.index);
      case Op::kAsOf: return Value::Date(opts_.as_of);
      case Op::kField: {
        Value base = Eval(*e.args[0]);
        if (base.is_none()) Fail(e, fmt::format("`{}` is absent", Src(*e.args[0])));
        return base.elems().at(e.index);
      }
      case Op::kNeg: {
        Value v = Eval(*e.args[0]);
        if (v.kind == Value::Kind::kInt && v.i == INT64_MIN) Fail(e, "integer overflow");
        v.i = -v.i;
        v.months = -v.months;
        return v;
      }
      case Op::kNot: return Value::Bool(!Eval(*e.args[0]).b());
      case Op::kAnd: return Value::Bool(Eval(*e.args[0]).b() && Eval(*e.args[1]).b());
      case Op::kOr: return Value::Bool(Eval(*e.args[0]).b() || Eval(*e.args[1]).b());
      case Op::kArith: return Arith(e, Eval(*e.args[0]), Eval(*e.args[1]));
      case Op::kCompare: return Value::Bool(CompareOp(e, e.bop, Eval(*e.args[0]), Eval(*e.args[1])));
      case Op::kIn: {
        Value x = Eval(*e.args[0]);
        Value coll = Eval(*e.args[1]);
        bool found;
        if (coll.kind == Value::Kind::kSet) {
          const auto& xs = coll.elems();
          found = std::binary_search(xs.begin(), xs.end(), x, [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
        } else {
          const auto& xs = coll.elems();
          found = std::find(xs.begin(), xs.end(), x) != xs.end();
        }
        return Value::Bool(found != e.negated);
      }
      case Op::kCoalesce: {
        Value a = Eval(*e.args[0]);
        return a.is_none() ? Eval(*e.args[1]) : a;
      }
      case Op::kIsPresent: return Value::Bool(Eval(*e.args[0]).is_none() == e.negated);
      case Op::kIf: return Eval(*e.args[0]).b() ? Eval(*e.args[1]) : Eval(*e.args[2]);
      case Op::kQuant: return Quant(e);
      case Op::kMakeList:
      case Op::kMakeSet: {
        std::vector<Value> items;
        for (auto& a : e.args) items.push_back(Eval(*a));
        return e.op == Op::kMakeSet ? Value::Set(std::move(items)) : Value::List(std::move(items));
      }
      case Op::kMakeRecord: {
        std::vector<Value> fields;
        for (auto& a : e.args) fields.push_back(Eval(*a));
        return Value::Record(std::move(fields));
      }
      case Op::kMatch: {
        Value s = Eval(*e.args[0]);
        int arm = e.arm_of_variant.at(s.i);
        return Eval(*e.args[1 + arm]);
      }
      case Op::kCall: {
        std::vector<Value> frame(locals_.size());
        for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Eval(*e.args[i]);
        std::swap(frame, locals_);
        Value v = Eval(*p_.functions[e.index].body);
        std::swap(frame, locals_);
        return v;
      }
      case Op::kTable: return Table(e);
      case Op::kBuiltin: return Builtin(e);
    }
    Fail(e, "internal error: unknown operation");
  }

  static int64_t CheckedAdd(const Expr& e, int64_t a, int64_t b, Evaluator* self) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) self->Fail(e, "number overflow");
    return r;
  }

  int64_t Add(const Expr& e, int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) Fail(e, "number overflow");
    return r;
  }
  int64_t Sub(const Expr& e, int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) Fail(e, "number overflow");
    return r;
  }
  int64_t Mul(const Expr& e, int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) Fail(e, "number overflow");
    return r;
  }

  // date + duration, within the calendar (years 1 to 9999).
  Value Shift(const Expr& e, int64_t date, Duration d, int sign) {
    int64_t r = 0;
    bool inside = d.months <= kMaxMonths && d.months >= -kMaxMonths && d.days <= kMaxDays && d.days >= -kMaxDays &&
                  (r = AddDuration(date, d, sign)) >= kFirstDay && r <= kLastDay;
    if (inside) return Value::Date(r);
    // An obligation's `deadline D after E` is E + D with the source of E (ir/lower.cc): name the
    // whole clause, not the event date.
    bool deadline = e.source && e.args.size() == 2 && e.args[0]->source == e.source;
    std::string what = deadline ? fmt::format("{} after {}", Src(*e.args[1]), Src(*e.args[0])) : Src(e);
    throw EvalError(fmt::format("`{}` moves the date outside the calendar (years 1 to 9999)", what),
                    deadline ? e.args[1]->span().To(e.args[0]->span()) : e.span());
  }

  Value Arith(const Expr& e, const Value& a, const Value& b) {
    using K = Value::Kind;
    switch (e.bop) {
      case BinOp::kAdd:
        if (a.kind == K::kDate && b.kind == K::kDuration) return Shift(e, a.i, b.duration(), 1);
        if (a.kind == K::kDuration && b.kind == K::kDate) return Shift(e, b.i, a.duration(), 1);
        if (a.kind == K::kDuration) return Value::Dur({Add(e, a.months, b.months), Add(e, a.i, b.i)});
        { Value v = a; v.i = Add(e, a.i, b.i); return v; }
      case BinOp::kSub:
        if (a.kind == K::kDate && b.kind == K::kDuration) return Shift(e, a.i, b.duration(), -1);
        if (a.kind == K::kDate && b.kind == K::kDate) return Value::Dur({0, a.i - b.i});
        if (a.kind == K::kDuration) return Value::Dur({Sub(e, a.months, b.months), Sub(e, a.i, b.i)});
        { Value v = a; v.i = Sub(e, a.i, b.i); return v; }
      case BinOp::kMul:
        if (a.kind == K::kDuration) return Value::Dur({Mul(e, a.months, b.i), Mul(e, a.i, b.i)});
        if (b.kind == K::kDuration) return Value::Dur({Mul(e, b.months, a.i), Mul(e, b.i, a.i)});
        if (a.kind == K::kDecimal) {
          __int128 p = static_cast<__int128>(a.i) * b.i / 1000000;
          if (p > INT64_MAX || p < INT64_MIN) Fail(e, "number overflow");
          return Value::Decimal(static_cast<int64_t>(p));
        }
        return Value::Int(Mul(e, a.i, b.i));
      case BinOp::kDiv:
        if (b.i == 0) Fail(e, fmt::format("division by zero in `{}`", Src(e)));
        if (a.kind == K::kDecimal) {
          __int128 q = static_cast<__int128>(a.i) * 1000000 / b.i;
          if (q > INT64_MAX || q < INT64_MIN) Fail(e, "number overflow");
          return Value::Decimal(static_cast<int64_t>(q));
        }
        if (a.i == INT64_MIN && b.i == -1) Fail(e, "number overflow");
        return Value::Int(a.i / b.i);
      default: break;
    }
    Fail(e, "internal error: bad arithmetic");
  }

  // The language's comparison. Durations mixing months and days have no order.
  bool CompareOp(const Expr& e, BinOp op, const Value& a, const Value& b) {
    if (op == BinOp::kEq) return a == b;
    if (op == BinOp::kNe) return a != b;
    int c;
    if (a.kind == Value::Kind::kDuration) {
      if (a.months == 0 && b.months == 0) c = a.i < b.i ? -1 : a.i > b.i;
      else if (a.i == 0 && b.i == 0) c = a.months < b.months ? -1 : a.months > b.months;
      else {
        Fail(e, fmt::format("cannot compare `{}` with `{}`: a month has no fixed number of days",
                            FormatDuration(a.duration()), FormatDuration(b.duration())));
      }
    } else {
      c = a.i < b.i ? -1 : a.i > b.i;
    }
    switch (op) {
      case BinOp::kLt: return c < 0;
      case BinOp::kLe: return c <= 0;
      case BinOp::kGt: return c > 0;
      case BinOp::kGe: return c >= 0;
      default: return false;
    }
  }

  Value Quant(const Expr& e) {
    Value coll = Eval(*e.args[0]);
    const auto& xs = coll.elems();
    Value saved = locals_[e.index];
    std::optional<Value> acc;
    int64_t count = 0;
    for (const Value& x : xs) {
      locals_[e.index] = x;
      switch (e.quant) {
        case ast::QuantKind::kAny:
          if (Eval(*e.args[1]).b()) { locals_[e.index] = saved; return Value::Bool(true); }
          break;
        case ast::QuantKind::kAll:
          if (!Eval(*e.args[1]).b()) { locals_[e.index] = saved; return Value::Bool(false); }
          break;
        case ast::QuantKind::kCount: count += Eval(*e.args[1]).b(); break;
        case ast::QuantKind::kSum: {
          Value v = Eval(*e.args[1]);
          acc = acc ? Arith(AddExpr(e), *acc, v) : v;
          break;
        }
        case ast::QuantKind::kMin:
        case ast::QuantKind::kMax: {
          Value v = Eval(*e.args[1]);
          bool better = !acc || CompareOp(e, e.quant == ast::QuantKind::kMin ? BinOp::kLt : BinOp::kGt, v, *acc);
          if (better) acc = v;
          break;
        }
      }
    }
    locals_[e.index] = saved;
    switch (e.quant) {
      case ast::QuantKind::kAny: return Value::Bool(false);
      case ast::QuantKind::kAll: return Value::Bool(true);
      case ast::QuantKind::kCount: return Value::Int(count);
      case ast::QuantKind::kSum: return acc ? *acc : Zero(e.type);
      default:
        if (!acc) Fail(e, fmt::format("`{}` of an empty collection has no value", e.quant == ast::QuantKind::kMin ? "min" : "max"));
        return *acc;
    }
  }

  // An expression node standing for `+` at the place of `e` (for sums).
  const Expr& AddExpr(const Expr& e) {
    add_expr_.source = e.source;
    add_expr_.bop = BinOp::kAdd;
    return add_expr_;
  }

  static Value Zero(const Type* t) {
    switch (t->kind) {
      case TypeKind::kDecimal: return Value::Decimal(0);
      case TypeKind::kDuration: return Value::Dur({0, 0});
      default: return Value::Int(0);
    }
  }

  bool CellMatches(const Expr& at, const ir::Cell& c, const Value& x) {
    switch (c.kind) {
      case ast::Cell::Kind::kAny: return true;
      case ast::Cell::Kind::kEqual: return x == Eval(*c.values[0]);
      case ast::Cell::Kind::kOneOf:
        for (auto& v : c.values) if (x == Eval(*v)) return true;
        return false;
      case ast::Cell::Kind::kCompare: return CompareOp(at, c.op, x, Eval(*c.values[0]));
      case ast::Cell::Kind::kRange:
        return CompareOp(at, BinOp::kGe, x, Eval(*c.values[0])) && CompareOp(at, BinOp::kLe, x, Eval(*c.values[1]));
    }
    return false;
  }

  Value Table(const Expr& e) {
    const ir::Table& t = p_.tables[e.index];
    std::vector<Value> frame(locals_.size());
    for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Eval(*e.args[i]);
    std::swap(frame, locals_);
    struct Restore {
      Evaluator* self;
      std::vector<Value>* frame;
      ~Restore() { std::swap(*frame, self->locals_); }
    } restore{this, &frame};
    std::vector<int> matches;
    for (size_t r = 0; r < t.rows.size(); ++r) {
      bool all = true;
      for (size_t c = 0; c < t.rows[r].cells.size() && all; ++c) all = CellMatches(e, t.rows[r].cells[c], locals_[c]);
      if (all) {
        matches.push_back(static_cast<int>(r));
        if (t.hit == ast::HitPolicy::kFirst) break;
      }
    }
    auto inputs = [&] {
      std::string s;
      for (size_t i = 0; i < t.params.size(); ++i) {
        s += (i ? ", " : "") + FormatValue(locals_[i], t.params[i], p_.types());
      }
      return s;
    };
    if (t.hit == ast::HitPolicy::kCollect) {
      std::vector<Value> results;
      for (int r : matches) results.push_back(Eval(*t.rows[r].result));
      switch (t.aggregator) {
        case ast::Aggregator::kNone: return Value::List(std::move(results));
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
      case ast::HitPolicy::kAny: {
        Value v = Eval(*t.rows[matches[0]].result);
        for (size_t i = 1; i < matches.size(); ++i) {
          if (Eval(*t.rows[matches[i]].result) != v) {
            Fail(e, fmt::format("rows {} and {} of table `{}` both match ({}) with different results, but the hit "
                                "policy is `any`",
                                matches[0] + 1, matches[i] + 1, t.name, inputs()));
          }
        }
        return v;
      }
      case ast::HitPolicy::kFirst: return Eval(*t.rows[matches[0]].result);
      case ast::HitPolicy::kPriority: {
        Value best = Eval(*t.rows[matches[0]].result);
        for (size_t i = 1; i < matches.size(); ++i) {
          Value v = Eval(*t.rows[matches[i]].result);
          if (v.i < best.i) best = v;  // earlier enum value = higher priority
        }
        return best;
      }
      default: break;
    }
    Fail(e, "internal error: bad hit policy");
  }

  // The least (`better` kLt) or greatest (kGt) of non-empty `xs`. The first is the best so far and
  // is not compared with itself: a duration of months and days is ordered against nothing, not
  // even itself, but a single one is its own least and greatest.
  Value Best(const Expr& e, const std::vector<Value>& xs, BinOp better) {
    Value best = xs[0];
    for (size_t k = 1; k < xs.size(); ++k) if (CompareOp(e, better, xs[k], best)) best = xs[k];
    return best;
  }

  Value Builtin(const Expr& e) {
    switch (e.builtin) {
      case ast::Builtin::kMin:
      case ast::Builtin::kMax: {
        BinOp better = e.builtin == ast::Builtin::kMin ? BinOp::kLt : BinOp::kGt;
        std::vector<Value> xs;
        if (e.args.size() == 1) xs = Eval(*e.args[0]).elems();
        else for (auto& a : e.args) xs.push_back(Eval(*a));
        if (xs.empty()) Fail(e, fmt::format("`{}` of an empty collection has no value", e.builtin == ast::Builtin::kMin ? "min" : "max"));
        return Best(e, xs, better);
      }
      case ast::Builtin::kCount: return Value::Int(static_cast<int64_t>(Eval(*e.args[0]).elems().size()));
      case ast::Builtin::kSum: {
        Value acc = Zero(e.type);
        Value coll = Eval(*e.args[0]);  // keep the collection alive while iterating it
        for (const Value& v : coll.elems()) acc = Arith(AddExpr(e), acc, v);
        return acc;
      }
      case ast::Builtin::kYear: return Value::Int(CivilFromDays(Eval(*e.args[0]).i).year);
      case ast::Builtin::kMonth: return Value::Int(CivilFromDays(Eval(*e.args[0]).i).month);
      case ast::Builtin::kDay: return Value::Int(CivilFromDays(Eval(*e.args[0]).i).day);
      case ast::Builtin::kDays: {
        Value d = Eval(*e.args[0]);
        if (d.months != 0) Fail(e, fmt::format("`{}` has no fixed number of days", FormatDuration(d.duration())));
        return Value::Int(d.i);
      }
    }
    Fail(e, "internal error: bad builtin");
  }

  const ir::Program& p_;
  const Value& facts_;
  const EvalOptions& opts_;
  std::vector<Value> params_;
  std::vector<int> param_missing_;
  std::vector<std::optional<Value>> lets_;
  std::vector<std::optional<Value>> outputs_;
  std::vector<int> output_state_;
  std::vector<int> let_state_;
  std::vector<Value> locals_;
  std::vector<OutputTrace> traces_;
  Expr add_expr_;
};

}  // namespace

const Value* ParamInForce(const ir::Param& param, int64_t as_of) {
  for (const ir::ParamVersion& v : param.versions) {
    if (v.effective.InForce(as_of)) return &v.value;
  }
  return nullptr;
}

Result Evaluate(const ir::Program& p, const Value& facts, const EvalOptions& options) {
  return Evaluator(p, facts, options).Run();
}

Value EvaluateLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let) {
  return Evaluator(p, facts, options).LetValue(let);
}

}  // namespace proviso::interp
