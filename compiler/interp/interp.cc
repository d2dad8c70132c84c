// The run of the reference interpreter: params in force, the elements of each `for each` with their
// own law dates, the memo of lets and outputs, and the public entry points.
#include "compiler/interp/interp.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"
#include "compiler/support/budget.h"

namespace proviso::interp {
namespace internal {

Value UnknownOf(std::initializer_list<const Value*> values) {
  Missing m;
  for (const Value* v : values) AddMissing(m, *v);
  return Value::Unknown(m);
}

Value DeepUnknownOf(const Value& a, const Value& b) {
  Missing m = DeepMissingOf(a);
  AddMissing(m, DeepMissingOf(b));
  return Value::Unknown(m);
}

Value KleeneAnd(const Value& a, const Value& b) {
  if (IsFalse(a) || IsFalse(b)) return Value::Bool(false);
  if (a.is_unknown() || b.is_unknown()) return UnknownOf({&a, &b});
  return Value::Bool(true);
}

Value KleeneOr(const Value& a, const Value& b) {
  if (IsTrue(a) || IsTrue(b)) return Value::Bool(true);
  if (a.is_unknown() || b.is_unknown()) return UnknownOf({&a, &b});
  return Value::Bool(false);
}

Value KleeneNot(const Value& a) { return a.is_unknown() ? a : Value::Bool(!a.b()); }

Evaluator::Evaluator(const ir::Program& p, const Value& facts, const EvalOptions& o)
    : p_(p), facts_(facts), opts_(o), budget_left_(EffectiveBudget(o.budget)), explain_(o.explain),
      lets_(p.lets.size()), outputs_(p.outputs.size()),
      output_state_(p.outputs.size(), 0), let_state_(p.lets.size(), 0) {
  locals_.resize(std::max(1, p.max_locals));
  if (o.explain) traces_.resize(p.outputs.size());
}

Result Evaluator::Run() {
  Init();
  Result r;
  try {
    RunInto(r);
  } catch (EvalError& e) {
    // Explaining: keep what was decided up to the failure, with the traces of the rules tried.
    if (explain_ && !e.partial) {
      if (r.trace.empty()) r.trace = traces_;
      e.partial = std::make_shared<Result>(std::move(r));
    }
    throw;
  }
  return r;
}

void Evaluator::RunInto(Result& r) {
  r.law = global_law_;
  for (size_t i = 0; i < p_.outputs.size(); ++i) {
    r.outputs.push_back(p_.outputs[i].scope < 0 ? Output(static_cast<int>(i)) : Value::None());
  }
  std::vector<int> global;
  for (size_t i = 0; i < p_.obligations.size(); ++i) if (p_.obligations[i].scope < 0) global.push_back(static_cast<int>(i));
  Obligations(global, r.obligations, r.suppressed_obligations, r.not_applied);
  r.trace = std::move(traces_);
  for (size_t s = 0; s < p_.scopes.size(); ++s) {
    const ir::Scope& sc = p_.scopes[s];
    Value coll = Eval(*sc.collection);
    KnownCollection(coll, *sc.collection, fmt::format("the elements of `for each {} in {}`", sc.var, Src(*sc.collection)));
    size_t first = r.items.size();
    for (size_t i = 0; i < coll.elems().size(); ++i) {
      Enter(static_cast<int>(s), static_cast<int>(i), coll.elems()[i]);
      ItemResult item;
      item.scope = static_cast<int>(s);
      item.index = static_cast<int>(i);
      item.key = frame_.key;
      item.law = frame_.law;
      if (explain_) traces_.assign(p_.outputs.size(), OutputTrace{});
      for (int o : sc.outputs) item.outputs.push_back(Output(o));
      Obligations(sc.obligations, item.obligations, item.suppressed_obligations, item.not_applied);
      if (explain_) {
        for (int o : sc.outputs) item.trace.push_back(std::move(traces_[o]));
      }
      Leave();
      r.items.push_back(std::move(item));
    }
    CheckKeys(sc, r.items, first);
  }
}

// A key names one element: two with the same key are an error (decisions report items by key).
void Evaluator::CheckKeys(const ir::Scope& sc, const std::vector<ItemResult>& items, size_t first) {
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

const Value& Evaluator::Known(const Value& v, const Expr& at, const std::string& what) {
  if (!HasUnknownPart(v)) return v;
  Missing m = DeepMissingOf(v);
  Fail(at, fmt::format("{} cannot be decided: `{}` depends on facts not given ({})", what, Src(at), FactNames(m)));
}

// Which elements a `for each` decides must be known; their fields need not be (what depends on
// an unknown field is undetermined for that element).
const Value& Evaluator::KnownCollection(const Value& v, const Expr& at, const std::string& what) {
  if (!v.is_unknown()) return v;
  Fail(at, fmt::format("{} cannot be decided: `{}` depends on facts not given ({})", what, Src(at), FactNames(MissingOf(v))));
}

std::string Evaluator::FactNames(const Missing& m) const {
  std::string out;
  for (size_t k = 0; k < m.size(); ++k) out += (k ? ", `" : "`") + p_.facts.at(m[k]) + "`";
  return out;
}

void Evaluator::Init() {
  global_law_ = opts_.as_of;
  frame_ = Frame{};
  frame_.law = global_law_;
  if (p_.law) {  // facts only: no param is read
    Value law = Eval(*p_.law);
    global_law_ = frame_.law = Known(law, *p_.law, "the date whose law decides").i;
  }
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

// Decides element `index` of scope `scope` from now on (its key and law date are evaluated in it).
void Evaluator::Enter(int scope, int index, const Value& element, bool with_key) {
  const ir::Scope& sc = p_.scopes[scope];
  frame_ = Frame{scope, index, element, Value::Int(index), global_law_};
  std::string which = index >= 0 ? fmt::format("element {} of `{}`", index, Src(*sc.collection))
                                 : fmt::format("an element of `{}`", Src(*sc.collection));
  if (sc.law) {
    Value law = Eval(*sc.law);
    frame_.law = Known(law, *sc.law, fmt::format("the date whose law decides {}", which)).i;
  }
  if (sc.key && with_key) {
    Value key = Eval(*sc.key);
    frame_.key = Known(key, *sc.key, fmt::format("the key of {}", which));
  }
  item_lets_.assign(p_.lets.size(), std::nullopt);
  item_let_state_.assign(p_.lets.size(), 0);
  item_outputs_.assign(p_.outputs.size(), std::nullopt);
  item_output_state_.assign(p_.outputs.size(), 0);
}

// `late of t`: output or let `e.index` of a `for each`, decided for the element t under t's own
// law date, in a frame of its own; the current frame and element memos are restored after.
Value Evaluator::ItemOf(const Expr& e) {
  Value x = Eval(*e.args[0]);
  if (x.is_unknown()) return x;
  bool output = e.op == Op::kItemOutput;
  int scope = output ? p_.outputs[e.index].scope : p_.lets[e.index].scope;
  // The traces of the rules read for `t` are not the decision's: no tracing meanwhile.
  struct Saved {
    Evaluator* self;
    Frame frame;
    std::vector<std::optional<Value>> lets, outputs;
    std::vector<int> let_state, output_state;
    bool explain;
    ~Saved() {
      self->frame_ = std::move(frame);
      self->item_lets_ = std::move(lets);
      self->item_outputs_ = std::move(outputs);
      self->item_let_state_ = std::move(let_state);
      self->item_output_state_ = std::move(output_state);
      self->explain_ = explain;
    }
  } saved{this, frame_, item_lets_, item_outputs_, item_let_state_, item_output_state_, explain_};
  explain_ = false;
  Enter(scope, -1, x, false);
  return output ? Output(e.index) : LetValue(e.index);
}

void Evaluator::Leave() {
  frame_ = Frame{};
  frame_.law = global_law_;
}

// A param's value under the law of the current frame (the policy's, or the element's own date).
Value Evaluator::Param(const Expr& e) {
  if (frame_.law != global_law_ && !opts_.param_overrides.count(e.index)) {
    if (const Value* v = ParamInForce(p_.params[e.index], frame_.law)) return *v;
    Fail(e, fmt::format("param `{}` has no version in force on {}", p_.params[e.index].name, FormatDate(frame_.law)));
  }
  if (std::find(param_missing_.begin(), param_missing_.end(), e.index) != param_missing_.end()) {
    Fail(e, fmt::format("param `{}` has no version in force on {}", p_.params[e.index].name, FormatDate(global_law_)));
  }
  return params_[e.index];
}

Value Evaluator::LetValue(int i) {
  const ir::Let& let = p_.lets[i];
  auto compute = [&] { return Eval(*let.value); };
  if (let.scope < 0) return Global([&] { return Memo(i, lets_, let_state_, compute, let.name, let.span); });
  return Memo(i, item_lets_, item_let_state_, compute, let.name, let.span);
}

std::optional<Value> Evaluator::ItemLet(int let, const Value& key) {
  Init();
  const ir::Scope& sc = p_.scopes[p_.lets[let].scope];
  Value coll = Eval(*sc.collection);
  KnownCollection(coll, *sc.collection, fmt::format("the elements of `for each {} in {}`", sc.var, Src(*sc.collection)));
  for (size_t i = 0; i < coll.elems().size(); ++i) {
    Enter(p_.lets[let].scope, static_cast<int>(i), coll.elems()[i]);
    if (frame_.key == key) return LetValue(let);
    Leave();
  }
  return std::nullopt;
}

}  // namespace internal

const Value* ParamInForce(const ir::Param& param, int64_t as_of) {
  for (const ir::ParamVersion& v : param.versions) {
    if (v.effective.InForce(as_of)) return &v.value;
  }
  return nullptr;
}

Result Evaluate(const ir::Program& p, const Value& facts, const EvalOptions& options) {
  return internal::Evaluator(p, facts, options).Run();
}

std::vector<int> MissingFacts(const Result& r) {
  std::vector<int> m;
  for (const Value& v : r.outputs) AddMissing(m, v);
  for (const ObligationResult& o : r.obligations) AddMissing(m, o.missing);
  for (const ItemResult& item : r.items) {
    for (const Value& v : item.outputs) AddMissing(m, v);
    for (const ObligationResult& o : item.obligations) AddMissing(m, o.missing);
  }
  return m;
}

Value EvaluateConstant(const ir::Program& p, const ir::Expr& e) {
  static const Value kNoFacts = Value::Record({});
  EvalOptions options;
  internal::Evaluator ev(p, kNoFacts, options);
  return ev.Constant(e);
}

Value EvaluateLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let) {
  internal::Evaluator ev(p, facts, options);
  ev.Init();
  return ev.LetValue(let);
}

std::optional<Value> EvaluateItemLet(const ir::Program& p, const Value& facts, const EvalOptions& options, int let,
                                     const Value& key) {
  return internal::Evaluator(p, facts, options).ItemLet(let, key);
}

}  // namespace proviso::interp
