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
    if (o.explain) traces_.resize(p.outputs.size());
  }

  Result Run() {
    Init();
    Result r;
    r.law = global_law_;
    for (size_t i = 0; i < p_.outputs.size(); ++i) {
      r.outputs.push_back(p_.outputs[i].scope < 0 ? Output(static_cast<int>(i)) : Value::None());
    }
    std::vector<int> global;
    for (size_t i = 0; i < p_.obligations.size(); ++i) if (p_.obligations[i].scope < 0) global.push_back(static_cast<int>(i));
    Obligations(global, r.obligations, r.suppressed_obligations);
    r.trace = std::move(traces_);
    for (size_t s = 0; s < p_.scopes.size(); ++s) {
      const ir::Scope& sc = p_.scopes[s];
      Value coll = Eval(*sc.collection);
      size_t first = r.items.size();
      for (size_t i = 0; i < coll.elems().size(); ++i) {
        Enter(static_cast<int>(s), static_cast<int>(i), coll.elems()[i]);
        ItemResult item;
        item.scope = static_cast<int>(s);
        item.index = static_cast<int>(i);
        item.key = frame_.key;
        item.law = frame_.law;
        if (opts_.explain) traces_.assign(p_.outputs.size(), OutputTrace{});
        for (int o : sc.outputs) item.outputs.push_back(Output(o));
        Obligations(sc.obligations, item.obligations, item.suppressed_obligations);
        if (opts_.explain) {
          for (int o : sc.outputs) item.trace.push_back(std::move(traces_[o]));
        }
        Leave();
        r.items.push_back(std::move(item));
      }
      CheckKeys(sc, r.items, first);
    }
    return r;
  }

  // A key names one element: two with the same key are an error (decisions report items by key).
  void CheckKeys(const ir::Scope& sc, const std::vector<ItemResult>& items, size_t first) {
    if (!sc.key) return;
    std::vector<std::pair<Value, int>> keys;
    for (size_t k = first; k < items.size(); ++k) keys.push_back({items[k].key, items[k].index});
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return Compare(a.first, b.first) < 0; });
    for (size_t k = 1; k < keys.size(); ++k) {
      if (keys[k].first != keys[k - 1].first) continue;
      throw EvalError(fmt::format("elements {} and {} of `{}` have the same key {}: a key names one element",
                                  std::min(keys[k - 1].second, keys[k].second), std::max(keys[k - 1].second, keys[k].second),
                                  Src(*sc.collection), FormatValue(keys[k].first, sc.key_type, p_.types())),
                      sc.key->span());
    }
  }

  // The global law date and the params in force on it. Evaluations start here.
  void Init() {
    global_law_ = opts_.as_of;
    frame_ = Frame{};
    frame_.law = global_law_;
    if (p_.law) global_law_ = frame_.law = Eval(*p_.law).i;  // facts only: no param is read
    params_.assign(p_.params.size(), Value::None());
    for (size_t i = 0; i < p_.params.size(); ++i) {
      auto ov = opts_.param_overrides.find(static_cast<int>(i));
      if (ov != opts_.param_overrides.end()) {
        params_[i] = ov->second;
      } else if (const Value* v = ParamInForce(p_.params[i], global_law_)) {
        params_[i] = *v;
      } else {
        param_missing_.push_back(static_cast<int>(i));
      }
    }
  }

  // The obligations `which` (of the current element, or of the policy) that apply, with their
  // deadlines and violations; those replaced by an applicable exception in `suppressed`.
  void Obligations(const std::vector<int>& which, std::vector<ObligationResult>& out, std::vector<int>& suppressed) {
    std::vector<bool> applies(p_.obligations.size(), false);
    for (int i : which) {
      const ir::Obligation& o = p_.obligations[i];
      applies[i] = o.effective.InForce(frame_.law) && (!o.when || Eval(*o.when).b());
    }
    // An applicable exception replaces the obligations it is an exception to (transitively).
    std::vector<bool> replaced(p_.obligations.size(), false);
    for (int i : which) {
      if (!applies[i]) continue;
      std::vector<int> up = p_.obligations[i].parents;
      while (!up.empty()) {
        int a = up.back();
        up.pop_back();
        if (replaced[a]) continue;  // and its ancestors already
        replaced[a] = true;
        up.insert(up.end(), p_.obligations[a].parents.begin(), p_.obligations[a].parents.end());
      }
    }
    for (int i : which) {
      if (!applies[i]) continue;
      if (replaced[i]) {
        suppressed.push_back(i);
        continue;
      }
      const ir::Obligation& o = p_.obligations[i];
      ObligationResult res;
      res.obligation = i;
      std::optional<bool> stated;  // the policy's own `violated when`
      if (o.violated) stated = Eval(*o.violated).b();
      bool derived = Deadline(o, stated, res);
      res.violated = stated ? *stated : derived;
      if (opts_.explain) {
        if (o.when) res.bindings = Bindings(*o.when);
        if (o.violated) res.violation_bindings = Bindings(*o.violated);
        for (int parent : o.parents) if (applies[parent]) res.replaces.push_back(parent);
      }
      out.push_back(std::move(res));
    }
  }

  // The element being decided: its scope, index, value, key and law date (scope -1: the policy).
  struct Frame {
    int scope = -1;
    int index = -1;
    Value element;
    Value key;
    int64_t law = 0;
  };

  // Decides element `index` of scope `scope` from now on (its key and law date are evaluated in it).
  void Enter(int scope, int index, const Value& element) {
    const ir::Scope& sc = p_.scopes[scope];
    frame_ = Frame{scope, index, element, Value::Int(index), global_law_};
    if (sc.law) frame_.law = Eval(*sc.law).i;
    if (sc.key) frame_.key = Eval(*sc.key);
    item_lets_.assign(p_.lets.size(), std::nullopt);
    item_let_state_.assign(p_.lets.size(), 0);
    item_outputs_.assign(p_.outputs.size(), std::nullopt);
    item_output_state_.assign(p_.outputs.size(), 0);
  }

  void Leave() {
    frame_ = Frame{};
    frame_.law = global_law_;
  }

  // Evaluates `f` in the policy's own frame (a name of the policy read while deciding an element).
  template <typename F>
  Value Global(F f) {
    if (frame_.scope < 0) return f();
    Frame saved = frame_;
    Leave();
    struct Restore {
      Evaluator* self;
      Frame* saved;
      ~Restore() { self->frame_ = std::move(*saved); }
    } restore{this, &saved};
    return f();
  }

  // A param's value under the law of the current frame (the policy's, or the element's own date).
  Value Param(const Expr& e) {
    if (frame_.law != global_law_ && !opts_.param_overrides.count(e.index)) {
      if (const Value* v = ParamInForce(p_.params[e.index], frame_.law)) return *v;
      Fail(e, fmt::format("param `{}` has no version in force on {}", p_.params[e.index].name, FormatDate(frame_.law)));
    }
    if (std::find(param_missing_.begin(), param_missing_.end(), e.index) != param_missing_.end()) {
      Fail(e, fmt::format("param `{}` has no version in force on {}", p_.params[e.index].name, FormatDate(global_law_)));
    }
    return params_[e.index];
  }

  // A constant expression: nothing but its own operands.
  Value Constant(const Expr& e) { return Eval(e); }

  Value LetValue(int i) {
    if (p_.lets[i].scope < 0) return Global([&] { return Memo(i, lets_, let_state_, [&] { return Eval(*p_.lets[i].value); }, p_.lets[i].name, p_.lets[i].span); });
    return Memo(i, item_lets_, item_let_state_, [&] { return Eval(*p_.lets[i].value); }, p_.lets[i].name, p_.lets[i].span);
  }

  // The value of let `let` for the element of its scope whose key is `key`.
  std::optional<Value> ItemLet(int let, const Value& key) {
    Init();
    const ir::Scope& sc = p_.scopes[p_.lets[let].scope];
    Value coll = Eval(*sc.collection);
    for (size_t i = 0; i < coll.elems().size(); ++i) {
      Enter(p_.lets[let].scope, static_cast<int>(i), coll.elems()[i]);
      if (frame_.key == key) return LetValue(let);
      Leave();
    }
    return std::nullopt;
  }

  // The deadline of an obligation that applies and its status on the evaluation date; returns
  // whether the status is a breach (overdue, early, breached). `stated` is the obligation's own
  // `violated when`, which gives the status when no fact says whether (or when) the act was done.
  bool Deadline(const ir::Obligation& o, std::optional<bool> stated, ObligationResult& res) {
    using S = ir::DeadlineStatus;
    auto set = [&](S status) {
      res.status = status;
      return status == S::kOverdue || status == S::kEarly || status == S::kBreached;
    };
    // A date or instant compared in the deadline's kind (an instant done by a date deadline counts
    // on its UTC day).
    auto in_kind = [&](const Value& v) { return !o.instant && v.kind == Value::Kind::kDateTime ? DayOf(v.i) : v.i; };
    auto passed = [&](int64_t d) { return o.instant ? opts_.now() > d : opts_.as_of > d; };
    switch (o.deadline_kind) {
      case ir::DeadlineKind::kNone: return false;
      case ir::DeadlineKind::kBy: {
        Value d = Eval(*o.deadline);
        if (d.is_none()) return false;
        res.deadline = d.i;
        if (o.done_at) {
          Value x = Eval(*o.done_at);
          if (x.is_none()) return set(passed(d.i) ? S::kOverdue : S::kPending);
          if (o.not_before && in_kind(x) < Eval(*o.not_before).i) return set(S::kEarly);
          return set(in_kind(x) <= d.i ? S::kMet : S::kOverdue);
        }
        // Without a fact of performance, the policy's own `violated when` tells after the deadline.
        if (!passed(d.i)) set(S::kPending);
        else if (stated) set(*stated ? S::kOverdue : S::kMet);
        return false;
      }
      case ir::DeadlineKind::kRetention: {
        Value k = Eval(*o.deadline);
        if (k.is_none()) return false;
        res.deadline = k.i;
        bool reached = passed(k.i - 1);  // the evaluation date is on or after the keep-until date
        if (o.deleted_at) {
          Value z = Eval(*o.deleted_at);
          if (!z.is_none()) return set(in_kind(z) < k.i ? S::kBreached : S::kMet);
          return set(reached ? S::kMet : S::kPending);
        }
        if (stated && *stated) return set(S::kBreached);
        set(reached ? S::kMet : S::kPending);
        return false;
      }
      case ir::DeadlineKind::kRecurring: {
        Duration period = Eval(*o.every).duration();
        int64_t first = Eval(*o.every_from).i;
        RecurringDue ps = RecurringPeriods(*o.every, period, first, opts_.as_of);
        res.deadline = ps.current;
        if (o.done_at) {
          Value x = Eval(*o.done_at);
          int64_t when = x.is_none() ? INT64_MIN : in_kind(x);
          if (!x.is_none() && (!ps.has_previous || when > ps.previous)) return set(S::kMet);
          bool previous_done = !x.is_none() && ps.has_previous && (!ps.has_before_previous || when > ps.before_previous);
          if (ps.has_previous && !previous_done) return set(S::kOverdue);
          return set(S::kPending);
        }
        if (stated) set(*stated ? S::kOverdue : S::kPending);
        else set(S::kPending);
        return false;
      }
      case ir::DeadlineKind::kOpen: {
        if (o.overdue && Eval(*o.overdue).b()) return set(S::kOverdue);
        if (o.done_at && !Eval(*o.done_at).is_none()) return set(S::kMet);
        return set(S::kPending);
      }
    }
    return false;
  }

  // The due dates of a recurring deadline around `as_of` (support/calendar.h).
  RecurringDue RecurringPeriods(const Expr& at, Duration period, int64_t first, int64_t as_of) {
    RecurringDue due;
    switch (RecurringDueDates(first, period, as_of, &due)) {
      case RecurringError::kNone: return due;
      case RecurringError::kBadPeriod:
        Fail(at, fmt::format("a recurring period must be a positive number of whole days or of whole months, found `{}`",
                             FormatDuration(period)));
      case RecurringError::kOutside: break;
    }
    Fail(at, fmt::format("the recurring deadline every `{}` from {} leaves the calendar (years 1 to 9999)",
                         FormatDuration(period), FormatDate(first)));
  }

  // Memoised evaluation of let or output `i` (at most once per evaluation and element).
  template <typename F>
  Value Memo(int i, std::vector<std::optional<Value>>& memo, std::vector<int>& state, F compute,
             const std::string& name, Span span) {
    if (state[i] == 2) return *memo[i];
    if (state[i] == 1) throw EvalError(fmt::format("`{}` depends on itself", name), span);
    state[i] = 1;
    memo[i] = compute();
    state[i] = 2;
    return *memo[i];
  }

 private:
  [[noreturn]] void Fail(const Expr& e, const std::string& message) { throw EvalError(message, e.span()); }

  std::string Src(const Expr& e) { return e.source ? ast::ToSource(*e.source) : "?"; }

  // ---------------------------------------------------------------- outputs and default logic

  struct Yield {
    Value value;
    int rule;
  };
  // What each rule of the output being decided yielded (an exception to several rules is decided
  // once, however many of them reach it).
  using RuleMemo = std::map<int, std::optional<Yield>>;

  Value Output(int o) {
    const ir::Output& out = p_.outputs[o];
    auto compute = [&] {
      RuleMemo memo;
      std::optional<Yield> y = Choose(out.roots, -1, o, memo);
      if (opts_.explain) {
        traces_[o].output = o;
        traces_[o].winner = y ? y->rule : -1;
      }
      if (y) return y->value;
      if (out.type->kind != TypeKind::kOptional) {
        throw EvalError(fmt::format("no rule applies to output `{}`, so the decision is incomplete", out.name), out.span);
      }
      return Value::None();
    };
    if (out.scope < 0) return Global([&] { return Memo(o, outputs_, output_state_, compute, out.name, out.span); });
    return Memo(o, item_outputs_, item_output_state_, compute, out.name, out.span);
  }

  // The value given by a group of sibling rules: that of the applicable ones of the highest
  // priority. Those agree or conflict: siblings that give the same value are alternatives (any
  // of several triggers), different values are a conflict.
  // `parent` is the rule whose exceptions `rules` are, or -1 for the output's general rules.
  std::optional<Yield> Choose(const std::vector<int>& rules, int parent, int output, RuleMemo& memo) {
    // A sibling competes with its own priority, whichever of its exceptions gave the value.
    std::vector<std::pair<int, Yield>> yields;  // (sibling, its value)
    for (int r : rules) {
      if (auto y = RuleValue(r, output, memo)) yields.push_back({r, *y});
    }
    if (yields.empty()) return std::nullopt;
    int64_t best = INT64_MIN;
    for (const auto& [r, y] : yields) best = std::max(best, p_.rules[r].priority);
    std::vector<std::pair<int, Yield>> top;
    for (const auto& [r, y] : yields) {
      if (p_.rules[r].priority == best) top.push_back({r, y});
      else Trace(output, r).status = RuleStatus::kLostOnPriority;
    }
    for (size_t k = 1; k < top.size(); ++k) {
      if (top[k].second.value != top[0].second.value) throw Conflict(top[0], top[k], parent, output);
    }
    return top[0].second;
  }

  // Two siblings of the same priority that apply with different values: names both rules (and the
  // exception that gave each value), both values, and the output.
  EvalError Conflict(const std::pair<int, Yield>& a, const std::pair<int, Yield>& b, int parent, int output) {
    const Type* t = p_.outputs[output].type;
    auto gives = [&](const std::pair<int, Yield>& y) {
      std::string s = fmt::format("`{}`", p_.rules[y.first].name);
      if (y.second.rule != y.first) s += fmt::format(" (through its exception `{}`)", p_.rules[y.second.rule].name);
      return s + fmt::format(" gives {}", FormatValue(y.second.value, t, p_.types()));
    };
    std::string siblings = parent < 0 ? "" : fmt::format(", exceptions to `{}`,", p_.rules[parent].name);
    return EvalError(fmt::format("rules `{}` and `{}`{} both apply to output `{}` with different values and neither "
                                 "has priority (conflict): {}, {}",
                                 p_.rules[a.first].name, p_.rules[b.first].name, siblings, p_.outputs[output].name,
                                 gives(a), gives(b)),
                     p_.rules[b.first].span);
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
  std::optional<Yield> RuleValue(int r, int output, RuleMemo& memo) {
    auto known = memo.find(r);
    if (known != memo.end()) return known->second;
    std::optional<Yield> y = DecideRule(r, output, memo);
    memo[r] = y;
    return y;
  }

  std::optional<Yield> DecideRule(int r, int output, RuleMemo& memo) {
    const ir::Rule& rule = p_.rules[r];
    std::optional<Yield> ex = Choose(rule.children, r, output, memo);
    if (ex) {
      if (opts_.explain) {
        RuleTrace& t = Trace(output, r);
        t.status = RuleStatus::kOverridden;
        t.overridden_by = ex->rule;
        if (rule.effective.InForce(frame_.law) && rule.when) {
          t.condition = SafeBool(*rule.when);
          t.bindings = Bindings(*rule.when);
        }
      }
      return ex;
    }
    if (!rule.effective.InForce(frame_.law)) {
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

  // Which version of a param was read, for explanations: " (what-if)", or the version in force on
  // the law date with its period and citation when the param has versions or a period.
  std::string ParamVersionText(int i) {
    const ir::Param& param = p_.params[i];
    if (opts_.param_overrides.count(i)) return " (what-if)";
    for (const ir::ParamVersion& v : param.versions) {
      if (!v.effective.InForce(frame_.law)) continue;
      if (param.versions.size() == 1 && v.effective.from == INT64_MIN && v.effective.until == INT64_MAX) return "";
      std::string text = fmt::format(" (version in force on {}: from {}", FormatDate(frame_.law),
                                     v.effective.from == INT64_MIN ? "the start" : FormatDate(v.effective.from));
      if (v.effective.until != INT64_MAX) text += " until " + FormatDate(v.effective.until);
      for (const ir::Citation& c : v.citations) text += "; cites " + (c.document.empty() ? c.article : c.document + ", " + c.article);
      return text + ")";
    }
    return "";
  }

  static bool IsFactPath(const Expr& e) {
    if (e.op == Op::kInput || e.op == Op::kItem) return true;
    if (e.op == Op::kUnwrap) return IsFactPath(*e.args[0]);
    return e.op == Op::kField && IsFactPath(*e.args[0]);
  }

  void CollectBindings(const Expr& e, std::vector<Binding>& out) {
    if (IsFactPath(e) || e.op == Op::kParam || e.op == Op::kLet || e.op == Op::kOutput || e.op == Op::kAsOf ||
        e.op == Op::kNow) {
      try {
        std::string value = FormatValue(Eval(e), e.type, p_.types());
        if (e.op == Op::kParam) value += ParamVersionText(e.index);
        out.push_back(Binding{Src(e), value});
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
      case Op::kParam: return Param(e);
      case Op::kItem: return frame_.element;
      case Op::kLet: return LetValue(e.index);
      case Op::kOutput: return Output(e.index);
      case Op::kLocal: return locals_.at(e.index);
      case Op::kAsOf: return Value::Date(opts_.as_of);
      case Op::kNow: return Value::DateTime(opts_.now());
      case Op::kWorkingDays: {
        Value n = Eval(*e.args[0]);
        Value d = Eval(*e.args[1]);
        const WorkingCalendar& cal = p_.calendars.at(e.index);
        int64_t steps = e.negated ? -n.i : n.i;
        int64_t out = 0;
        if (n.i == INT64_MIN || !cal.AddWorkingDays(d.i, steps, &out)) WorkingDaysOutside(e, cal, d.i, steps);
        return Value::Date(out);
      }
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
      case Op::kUnwrap: {
        Value v = Eval(*e.args[0]);
        if (v.is_none()) Fail(e, fmt::format("internal error: `{}` is absent where it was known present", Src(e)));
        return v;
      }
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
        int arm = s.is_none() ? e.arm_of_variant.back() : e.arm_of_variant.at(s.i);
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

  [[noreturn]] void WorkingDaysOutside(const Expr& e, const WorkingCalendar& cal, int64_t day, int64_t steps) {
    if (!cal.Covers(day)) Fail(e, cal.OutsideMessage(day));
    Fail(e, fmt::format("`{}` falls {} the years calendar `{}` covers ({} to {})", Src(e), steps > 0 ? "after" : "before",
                        cal.name(), cal.first_year(), cal.last_year()));
  }

  // date + duration (whole days: a date has no time of day), or instant + duration, within the
  // calendar (years 1 to 9999).
  Value Shift(const Expr& e, const Value& base, Duration d, int sign) {
    bool instant = base.kind == Value::Kind::kDateTime;
    int64_t date = base.i;
    if (!instant && !d.WholeDays()) {
      Fail(e, fmt::format("`{}` adds `{}` to a date, which has no time of day: make the date a date-time with "
                          "`datetime(...)`, or add whole days",
                          Src(e), FormatDuration(d)));
    }
    int64_t r = 0;
    bool inside = d.months <= kMaxMonths && d.months >= -kMaxMonths && d.seconds <= kMaxSeconds &&
                  d.seconds >= -kMaxSeconds &&
                  (instant ? ((r = AddDurationToInstant(date, d, sign)) >= kFirstSecond && r <= kLastSecond)
                           : ((r = AddDuration(date, d, sign)) >= kFirstDay && r <= kLastDay));
    if (inside) return instant ? Value::DateTime(r) : Value::Date(r);
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
        if ((a.kind == K::kDate || a.kind == K::kDateTime) && b.kind == K::kDuration) return Shift(e, a, b.duration(), 1);
        if (a.kind == K::kDuration && (b.kind == K::kDate || b.kind == K::kDateTime)) return Shift(e, b, a.duration(), 1);
        if (a.kind == K::kDuration) return Value::Dur({Add(e, a.months, b.months), Add(e, a.i, b.i)});
        { Value v = a; v.i = Add(e, a.i, b.i); return v; }
      case BinOp::kSub:
        if ((a.kind == K::kDate || a.kind == K::kDateTime) && b.kind == K::kDuration) return Shift(e, a, b.duration(), -1);
        if (a.kind == K::kDate && b.kind == K::kDate) return Value::Dur(Duration::Days(a.i - b.i));
        if (a.kind == K::kDateTime && b.kind == K::kDateTime) return Value::Dur({0, a.i - b.i});
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
        if (a.kind == K::kDuration) {  // duration / duration: how many times the one fits in the other
          if (a.months == 0 && b.months == 0 && b.i != 0) return Value::Int(b.i == -1 ? Sub(e, 0, a.i) : a.i / b.i);
          if (a.i == 0 && b.i == 0 && b.months != 0) return Value::Int(b.months == -1 ? Sub(e, 0, a.months) : a.months / b.months);
          if (b.i == 0 && b.months == 0) Fail(e, fmt::format("division by zero in `{}`", Src(e)));
          Fail(e, fmt::format("cannot divide `{}` by `{}`: a month has no fixed number of days",
                              FormatDuration(a.duration()), FormatDuration(b.duration())));
        }
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

  // The day of a date, or the UTC day of an instant.
  int64_t DayArg(const Expr& a) {
    Value v = Eval(a);
    return v.kind == Value::Kind::kDateTime ? DayOf(v.i) : v.i;
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
      case ast::Builtin::kYear: return Value::Int(CivilFromDays(DayArg(*e.args[0])).year);
      case ast::Builtin::kMonth: return Value::Int(CivilFromDays(DayArg(*e.args[0])).month);
      case ast::Builtin::kDay: return Value::Int(CivilFromDays(DayArg(*e.args[0])).day);
      case ast::Builtin::kWeekday: return Value::Int(Weekday(DayArg(*e.args[0])));
      case ast::Builtin::kHour:
      case ast::Builtin::kMinute:
      case ast::Builtin::kSecond: {
        int64_t t = Eval(*e.args[0]).i;
        int64_t tod = t - DayOf(t) * kSecondsPerDay;
        return Value::Int(e.builtin == ast::Builtin::kHour ? tod / 3600 : e.builtin == ast::Builtin::kMinute ? tod % 3600 / 60 : tod % 60);
      }
      case ast::Builtin::kDays:
      case ast::Builtin::kHours:
      case ast::Builtin::kMinutes:
      case ast::Builtin::kSeconds: {
        Value d = Eval(*e.args[0]);
        if (d.months != 0) Fail(e, fmt::format("`{}` has no fixed number of days", FormatDuration(d.duration())));
        int64_t unit = e.builtin == ast::Builtin::kDays ? kSecondsPerDay : e.builtin == ast::Builtin::kHours ? 3600
                       : e.builtin == ast::Builtin::kMinutes ? 60 : 1;
        return Value::Int(d.i / unit);
      }
      case ast::Builtin::kFirstDayOfMonth:
      case ast::Builtin::kLastDayOfMonth:
      case ast::Builtin::kFirstDayOfYear:
      case ast::Builtin::kLastDayOfYear: {
        CivilDate c = CivilFromDays(Eval(*e.args[0]).i);
        switch (e.builtin) {
          case ast::Builtin::kFirstDayOfMonth: return Value::Date(DaysFromCivil(c.year, c.month, 1));
          case ast::Builtin::kLastDayOfMonth: return Value::Date(DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month)));
          case ast::Builtin::kFirstDayOfYear: return Value::Date(DaysFromCivil(c.year, 1, 1));
          default: return Value::Date(DaysFromCivil(c.year, 12, 31));
        }
      }
      case ast::Builtin::kDate: {
        if (e.args.size() == 3) {  // date(year, month, day)
          int64_t y = Eval(*e.args[0]).i, m = Eval(*e.args[1]).i, d = Eval(*e.args[2]).i;
          if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(static_cast<int>(y), static_cast<int>(m))) {
            Fail(e, fmt::format("`{}` is not a date: year {}, month {}, day {}", Src(e), y, m, d));
          }
          return Value::Date(DaysFromCivil(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)));
        }
        int64_t t = Eval(*e.args[0]).i;
        if (e.args.size() == 2) {  // the local date at UTC + offset
          Duration offset = Eval(*e.args[1]).duration();
          if (offset.months != 0 || offset.seconds <= -kSecondsPerDay || offset.seconds >= kSecondsPerDay) {
            Fail(e, fmt::format("`{}` is not an offset from UTC (less than a day, no months)", FormatDuration(offset)));
          }
          t += offset.seconds;
        }
        return Value::Date(DayOf(t));
      }
      case ast::Builtin::kDateTime: {
        int64_t day = Eval(*e.args[0]).i;
        if (e.args.size() == 1) return Value::DateTime(day * kSecondsPerDay);
        int64_t h = Eval(*e.args[1]).i, m = Eval(*e.args[2]).i, sec = Eval(*e.args[3]).i;
        if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) {
          Fail(e, fmt::format("`{}` is not a time of day: hour {}, minute {}, second {}", Src(e), h, m, sec));
        }
        return Value::DateTime(day * kSecondsPerDay + h * 3600 + m * 60 + sec);
      }
      case ast::Builtin::kMonthsBetween: {
        int64_t a = Eval(*e.args[0]).i;
        return Value::Int(MonthsBetween(a, Eval(*e.args[1]).i));
      }
      case ast::Builtin::kIsWorkingDay: {
        int64_t d = Eval(*e.args[0]).i;
        const WorkingCalendar& cal = p_.calendars.at(e.index);
        if (!cal.Covers(d)) Fail(e, cal.OutsideMessage(d));
        return Value::Bool(cal.IsWorking(d));
      }
      case ast::Builtin::kWorkingDaysBetween: {
        int64_t a = Eval(*e.args[0]).i;
        int64_t b = Eval(*e.args[1]).i;
        const WorkingCalendar& cal = p_.calendars.at(e.index);
        int64_t n = 0;
        if (!cal.WorkingDaysBetween(a, b, &n)) Fail(e, cal.OutsideMessage(cal.Covers(a) ? b : a));
        return Value::Int(n);
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
  Frame frame_;
  int64_t global_law_ = 0;
  // The memo of the current element's lets and outputs (by let / output index).
  std::vector<std::optional<Value>> item_lets_, item_outputs_;
  std::vector<int> item_let_state_, item_output_state_;
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

Value EvaluateConstant(const ir::Program& p, const ir::Expr& e) {
  static const Value kNoFacts = Value::Record({});
  EvalOptions options;
  Evaluator ev(p, kNoFacts, options);
  return ev.Constant(e);
}

Value EvaluateLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let) {
  Evaluator ev(p, facts, options);
  ev.Init();
  return ev.LetValue(let);
}

std::optional<Value> EvaluateItemLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let,
                                     const Value& key) {
  return Evaluator(p, facts, options).ItemLet(let, key);
}

}  // namespace proviso::interp
