#include <chrono>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/disk_cache.h"
#include "proviso/proviso.h"
#include "compiler/support/large_stack.h"
#include "compiler/support/read_file.h"
#include "runtime/src/native.h"
#include "runtime/src/emit_cpp.h"
#include "runtime/src/policy_impl.h"

namespace proviso {

const char* ModalityName(Modality m) {
  switch (m) {
    case Modality::kMust: return "must";
    case Modality::kMustNot: return "must not";
    case Modality::kMay: return "may";
  }
  return "must";
}

namespace {

SourceLocation Location(const Span& s, const SourceManager& sm) {
  if (!s.valid()) return {};
  return SourceLocation{sm.file(s.file).path, s.line, s.col};
}

PolicyDiagnostic ToPublic(const Diagnostic& d, const SourceManager& sm) {
  PolicyDiagnostic p;
  p.severity = d.severity == Severity::kError ? "error" : d.severity == Severity::kWarning ? "warning" : "note";
  p.code = d.code;
  p.message = d.message;
  p.location = Location(d.span, sm);
  p.help = d.help;
  p.rendered = RenderText(d, sm);
  return p;
}

int64_t Now() {
  auto now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

// The evaluation instant (seconds) of an `as_of` option: a date (its midnight, UTC) or an instant.
int64_t ParseAsOf(const std::optional<std::string>& s) {
  if (!s) return Now();
  if (auto d = ParseDate(*s)) return *d * kSecondsPerDay;
  if (auto t = ParseDateTime(*s)) return *t;
  throw Error(fmt::format("`{}` is not a valid date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)", *s));
}

// The text of an instant: its date when it is a midnight (UTC), else the date-time.
std::string FormatInstant(int64_t seconds) {
  return seconds % kSecondsPerDay == 0 ? FormatDate(DayOf(seconds)) : FormatDateTime(seconds);
}

const char* DeadlineKindName(ir::DeadlineKind k) {
  switch (k) {
    case ir::DeadlineKind::kNone: return "";
    case ir::DeadlineKind::kBy: return "by";
    case ir::DeadlineKind::kRecurring: return "recurring";
    case ir::DeadlineKind::kRetention: return "retention";
    case ir::DeadlineKind::kOpen: return "open";
  }
  return "";
}

// "Document, p3", then, when the citation resolved to the law's text, the paragraph quoted (at most
// kQuoteChars characters in text; JSON carries it whole).
std::string CiteText(const ir::Citation& c) {
  constexpr size_t kQuoteChars = 200;
  std::string out = c.document.empty() ? c.article : fmt::format("{}, {}", c.document, c.article);
  if (c.text.empty()) return out;
  std::string quote;
  size_t chars = 0;
  for (size_t i = 0; i < c.text.size(); ++i) {
    unsigned char b = static_cast<unsigned char>(c.text[i]);
    if ((b & 0xC0) != 0x80 && chars++ == kQuoteChars) {
      quote += "...";
      break;
    }
    quote += c.text[i] == '\n' ? ' ' : c.text[i];
  }
  return fmt::format("{}: \"{}\"", out, quote);
}

// The lines an explanation prints for a rule's or obligation's citations and interpretation.
std::string CitesText(const std::string& indent, const std::vector<ir::Citation>& cs, const std::string& interpretation) {
  std::string out;
  for (const auto& c : cs) out += fmt::format("{}      cites {}\n", indent, CiteText(c));
  if (!interpretation.empty()) out += fmt::format("{}      interpretation (the text is silent): {}\n", indent, interpretation);
  return out;
}

const char* StatusName(interp::RuleStatus s) {
  switch (s) {
    case interp::RuleStatus::kApplied: return "applied";
    case interp::RuleStatus::kOverridden: return "overridden";
    case interp::RuleStatus::kNotApplicable: return "not applicable";
    case interp::RuleStatus::kNotInForce: return "not in force";
    case interp::RuleStatus::kLostOnPriority: return "lower priority";
    case interp::RuleStatus::kUndetermined: return "undetermined";
  }
  return "?";
}

nlohmann::json CitationsJson(const std::vector<ir::Citation>& cs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : cs) {
    nlohmann::json j = {{"document", c.document}, {"article", c.article}};
    if (!c.law.empty()) j["law"] = c.law;
    if (!c.text.empty()) j["text"] = c.text;
    a.push_back(j);
  }
  return a;
}

nlohmann::json BindingsJson(const std::vector<interp::Binding>& bs) {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& b : bs) o[b.expr] = b.value;
  return o;
}

std::string BindingsText(const std::vector<interp::Binding>& bs) {
  std::string out;
  for (size_t i = 0; i < bs.size(); ++i) out += fmt::format("{}{} = {}", i ? "; " : "", bs[i].expr, bs[i].value);
  return out;
}

// The `///` text of the law above a rule or obligation, quoted under it.
std::string DocText(const std::string& doc) {
  if (doc.empty()) return "";
  std::string out;
  size_t start = 0;
  while (start <= doc.size()) {
    size_t end = doc.find('\n', start);
    if (end == std::string::npos) end = doc.size();
    out += "      | " + doc.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// The deadline of an obligation in a decision, as text: " by 2020-07-31 [met]".
std::string DeadlineText(const ir::Obligation& o, const interp::ObligationResult& res) {
  std::string when = res.deadline ? (o.instant ? FormatDateTime(*res.deadline) : FormatDate(*res.deadline)) : "";
  std::string out;
  switch (o.deadline_kind) {
    case ir::DeadlineKind::kNone: break;
    case ir::DeadlineKind::kBy: if (res.deadline) out = " by " + when; break;
    case ir::DeadlineKind::kRecurring: out = " next due " + when; break;
    case ir::DeadlineKind::kRetention: if (res.deadline) out = " keep until " + when; break;
    case ir::DeadlineKind::kOpen: out = " " + o.standard; break;
  }
  const char* status = ir::DeadlineStatusName(res.status);
  if (*status) out += fmt::format(" [{}]", status);
  return out;
}

// The paths of facts (ids), as text "a, b" and as a JSON array.
std::string FactsText(const ir::Program& p, const std::vector<int>& ids) {
  std::string out;
  for (size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + p.facts.at(ids[k]);
  return out;
}

nlohmann::json FactsJson(const ir::Program& p, const std::vector<int>& ids) {
  nlohmann::json a = nlohmann::json::array();
  for (int id : ids) a.push_back(p.facts.at(id));
  return a;
}

// One output's value and the rules that decided it, as text (each line after `indent`) and JSON.
void ExplainOutput(const ir::Program& p, int o, const Value& value, const interp::OutputTrace* trace,
                   const std::string& indent, nlohmann::json& list, std::string& text) {
  const TypeTable& types = p.types();
  const ir::Output& out = p.outputs[o];
  nlohmann::json oj = {{"output", out.name}, {"value", interp::ValueToJson(value, out.type, types)}};
  if (value.is_unknown()) {
    std::string missing = FactsText(p, MissingOf(value));
    text += fmt::format("{}{} = undetermined (missing: {})\n", indent, out.name, missing);
    oj["undetermined"] = true;
    oj["missing"] = FactsJson(p, MissingOf(value));
  } else {
    text += fmt::format("{}{} = {}\n", indent, out.name, FormatValue(value, out.type, types));
  }
  oj["rules"] = nlohmann::json::array();
  if (trace) {
    // The winning chain first, then the rest in declaration order.
    std::vector<const interp::RuleTrace*> ordered;
    for (const auto& t : trace->rules) if (t.rule == trace->winner) ordered.push_back(&t);
    for (const auto& t : trace->rules) if (t.rule != trace->winner) ordered.push_back(&t);
    for (const interp::RuleTrace* t : ordered) {
      const ir::Rule& rule = p.rules[t->rule];
      std::string mark = t->rule == trace->winner ? "+" : "-";
      std::string line = fmt::format("{}  {} rule `{}` {}", indent, mark, rule.name, StatusName(t->status));
      if (t->overridden_by >= 0) line += fmt::format(" by the exception `{}`", p.rules[t->overridden_by].name);
      for (size_t k = 0; k < rule.parents.size(); ++k) {
        line += fmt::format("{}`{}`{}", k ? ", " : " (exception to ", p.rules[rule.parents[k]].name,
                            k + 1 == rule.parents.size() ? ")" : "");
      }
      text += line + "\n";
      if (rule.when && t->condition) {
        text += fmt::format("{}      when {}  ->  {}\n", indent, ast::ToSource(*rule.when->source),
                            *t->condition ? "true" : "false");
      }
      if (!t->bindings.empty()) text += fmt::format("{}      with {}\n", indent, BindingsText(t->bindings));
      text += CitesText(indent, rule.citations, rule.interpretation);
      if (t->rule == trace->winner) text += DocText(rule.doc);
      nlohmann::json rj = {{"rule", rule.name}, {"status", StatusName(t->status)},
                           {"winner", t->rule == trace->winner}, {"citations", CitationsJson(rule.citations)}};
      if (!rule.interpretation.empty()) rj["interpretation"] = rule.interpretation;
      if (!rule.parents.empty()) {
        rj["exception_to"] = nlohmann::json::array();
        for (int q : rule.parents) rj["exception_to"].push_back(p.rules[q].name);
      }
      if (t->overridden_by >= 0) rj["overridden_by"] = p.rules[t->overridden_by].name;
      if (rule.when) rj["condition"] = ast::ToSource(*rule.when->source);
      if (t->condition) rj["condition_value"] = *t->condition;
      rj["bindings"] = BindingsJson(t->bindings);
      oj["rules"].push_back(rj);
    }
  }
  list.push_back(oj);
}

// One obligation that applies: why, its deadline and status, whether and why it is violated.
void ExplainObligation(const ir::Program& p, const interp::ObligationResult& res, const std::string& indent,
                       nlohmann::json& list, std::string& text) {
  const ir::Obligation& o = p.obligations[res.obligation];
  const char* mark = res.violated                 ? "  [VIOLATED]"
                     : res.applies_undetermined   ? "  [MAY APPLY]"
                     : res.violation_undetermined ? "  [MAY BE VIOLATED]"
                                                  : "";
  text += fmt::format("{}obligation `{}`: {} {} \"{}\"{}{}\n", indent, o.name, o.subject,
                      ModalityName(static_cast<Modality>(o.modality)), o.action, DeadlineText(o, res), mark);
  if (o.when) {
    text += fmt::format("{}      {} {}\n", indent, res.applies_undetermined ? "may apply: it applies when" : "applies because",
                        ast::ToSource(*o.when->source));
  }
  if (!res.bindings.empty()) text += fmt::format("{}      with {}\n", indent, BindingsText(res.bindings));
  if (res.violated && o.violated) {
    text += fmt::format("{}      violated because {}\n", indent, ast::ToSource(*o.violated->source));
    if (!res.violation_bindings.empty()) {
      text += fmt::format("{}      with {}\n", indent, BindingsText(res.violation_bindings));
    }
  }
  for (int q : res.replaces) text += fmt::format("{}      replaces `{}` (exception)\n", indent, p.obligations[q].name);
  if (!res.missing.empty()) {
    text += fmt::format("{}      undetermined: facts not given that would decide it: {}\n", indent, FactsText(p, res.missing));
  }
  text += CitesText(indent, o.citations, o.interpretation);
  text += DocText(o.doc);
  nlohmann::json oj = {{"obligation", o.name}, {"violated", res.violated},
                       {"bindings", BindingsJson(res.bindings)}, {"citations", CitationsJson(o.citations)}};
  if (!o.interpretation.empty()) oj["interpretation"] = o.interpretation;
  if (res.applies_undetermined) oj["applies_undetermined"] = true;
  if (res.violation_undetermined) oj["violation_undetermined"] = true;
  if (!res.missing.empty()) oj["missing"] = FactsJson(p, res.missing);
  if (res.status != ir::DeadlineStatus::kNone) oj["status"] = ir::DeadlineStatusName(res.status);
  if (o.when) oj["condition"] = ast::ToSource(*o.when->source);
  if (o.violated) {
    oj["violation_condition"] = ast::ToSource(*o.violated->source);
    oj["violation_bindings"] = BindingsJson(res.violation_bindings);
  }
  if (!res.replaces.empty()) {
    oj["replaces"] = nlohmann::json::array();
    for (int q : res.replaces) oj["replaces"].push_back(p.obligations[q].name);
  }
  list.push_back(oj);
}

// The obligations that do not apply, and why: replaced by an exception, not in force, or their
// condition is false (with the values it read).
void ExplainNotApplied(const ir::Program& p, const std::vector<int>& replaced, const std::vector<interp::NotApplied>& others,
                       const std::string& indent, nlohmann::json& list, std::string& text) {
  for (int s : replaced) {
    text += fmt::format("{}obligation `{}` does not apply: replaced by an exception\n", indent, p.obligations[s].name);
    list.push_back({{"obligation", p.obligations[s].name}, {"reason", "replaced"}});
  }
  for (const interp::NotApplied& n : others) {
    const ir::Obligation& o = p.obligations[n.obligation];
    nlohmann::json j = {{"obligation", o.name}, {"reason", n.not_in_force ? "not in force" : "condition"}};
    if (n.not_in_force) {
      text += fmt::format("{}obligation `{}` does not apply: not in force on the law date\n", indent, o.name);
    } else {
      text += fmt::format("{}obligation `{}` does not apply: when {}  ->  false\n", indent, o.name,
                          ast::ToSource(*o.when->source));
      if (!n.bindings.empty()) text += fmt::format("{}      with {}\n", indent, BindingsText(n.bindings));
      j["condition"] = ast::ToSource(*o.when->source);
      j["bindings"] = BindingsJson(n.bindings);
    }
    list.push_back(std::move(j));
  }
}

// The explanation as a text tree and as JSON, from the interpreter's traces.
void Explain(const ir::Program& p, const interp::Result& r, nlohmann::json& json, std::string& text) {
  const TypeTable& types = p.types();
  json = nlohmann::json::object();
  json["version"] = kExplanationVersion;  // docs/explanation.schema.json
  json["outputs"] = nlohmann::json::array();
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (p.outputs[o].scope >= 0) continue;
    if (o >= r.outputs.size()) {  // a failed evaluation: the output that failed, with the rules tried
      if (o < r.trace.size() && !r.trace[o].rules.empty()) {
        text += fmt::format("{} = (evaluation failed here)\n", p.outputs[o].name);
        nlohmann::json failed = nlohmann::json::array();
        std::string ignored;
        ExplainOutput(p, static_cast<int>(o), Value::None(), &r.trace[o], "", failed, ignored);
        text += ignored.substr(ignored.find('\n') + 1);
        failed[0]["value"] = nullptr;
        failed[0]["failed"] = true;
        json["outputs"].push_back(failed[0]);
      }
      break;
    }
    ExplainOutput(p, static_cast<int>(o), r.outputs[o], o < r.trace.size() ? &r.trace[o] : nullptr, "",
                  json["outputs"], text);
  }
  json["obligations"] = nlohmann::json::array();
  for (const interp::ObligationResult& res : r.obligations) ExplainObligation(p, res, "", json["obligations"], text);
  json["not_applied"] = nlohmann::json::array();
  ExplainNotApplied(p, r.suppressed_obligations, r.not_applied, "", json["not_applied"], text);
  if (r.items.empty()) return;
  json["items"] = nlohmann::json::array();
  for (const interp::ItemResult& it : r.items) {
    const ir::Scope& sc = p.scopes[it.scope];
    text += fmt::format("for each {} = {} (law as of {}):\n", sc.var, FormatValue(it.key, sc.key_type, types),
                        FormatDate(it.law));
    nlohmann::json ij = {{"for_each", sc.var}, {"index", it.index}, {"key", interp::ValueToJson(it.key, sc.key_type, types)},
                         {"law_as_of", FormatDate(it.law)}, {"outputs", nlohmann::json::array()},
                         {"obligations", nlohmann::json::array()}};
    for (size_t k = 0; k < sc.outputs.size(); ++k) {
      ExplainOutput(p, sc.outputs[k], it.outputs[k], k < it.trace.size() ? &it.trace[k] : nullptr, "  ",
                    ij["outputs"], text);
    }
    for (const interp::ObligationResult& res : it.obligations) ExplainObligation(p, res, "  ", ij["obligations"], text);
    ij["not_applied"] = nlohmann::json::array();
    ExplainNotApplied(p, it.suppressed_obligations, it.not_applied, "  ", ij["not_applied"], text);
    json["items"].push_back(std::move(ij));
  }
}

}  // namespace

const nlohmann::json& Decision::output(const std::string& name) const {
  auto it = outputs_.find(name);
  if (it != outputs_.end()) return *it;
  auto u = undetermined_.find(name);
  if (u != undetermined_.end()) {
    std::string facts;
    for (const auto& f : *u) facts += (facts.empty() ? "`" : ", `") + f.get<std::string>() + "`";
    throw Error(fmt::format("output `{}` is undetermined: it depends on facts not given ({})", name, facts));
  }
  throw Error(fmt::format("policy `{}` has no output `{}`", policy_, name));
}

std::vector<Obligation> Decision::violations() const {
  std::vector<Obligation> out;
  for (const Obligation& o : obligations_) if (o.violated) out.push_back(o);
  return out;
}

nlohmann::json Decision::ToJson() const {
  nlohmann::json j;
  j["policy"] = policy_;
  j["policy_version"] = version_;  // not "version": the explanation has its own (its schema's)
  j["as_of"] = as_of_;
  if (!law_as_of_.empty()) j["law_as_of"] = law_as_of_;
  j["outputs"] = outputs_;
  if (!undetermined_.empty()) j["undetermined"] = undetermined_;
  if (!missing_facts_.empty()) j["missing_facts"] = missing_facts_;
  j["obligations"] = nlohmann::json::array();
  j["violations"] = nlohmann::json::array();
  auto item_json = [](const ItemRef& r) { return nlohmann::json{{"for_each", r.scope}, {"index", r.index}, {"key", r.key}}; };
  for (const Obligation& o : obligations_) {
    nlohmann::json cites = nlohmann::json::array();
    for (const Citation& c : o.citations) {
      nlohmann::json cj = {{"document", c.document}, {"article", c.article}};
      if (!c.law.empty()) cj["law"] = c.law;
      if (!c.text.empty()) cj["text"] = c.text;
      cites.push_back(cj);
    }
    nlohmann::json oj = {{"name", o.name},
                         {"modality", ModalityName(o.modality)},
                         {"subject", o.subject},
                         {"action", o.action},
                         {"deadline", o.deadline ? nlohmann::json(*o.deadline) : nlohmann::json(nullptr)},
                         {"violated", o.violated},
                         {"citations", cites}};
    if (!o.interpretation.empty()) oj["interpretation"] = o.interpretation;
    if (!o.deadline_kind.empty()) oj["deadline_kind"] = o.deadline_kind;
    if (!o.standard.empty()) oj["standard"] = o.standard;
    if (!o.status.empty()) oj["status"] = o.status;
    if (o.applies_undetermined) oj["applies_undetermined"] = true;
    if (o.violation_undetermined) oj["violation_undetermined"] = true;
    if (!o.missing.empty()) oj["missing"] = o.missing;
    if (o.item) oj["item"] = item_json(*o.item);
    j["obligations"].push_back(std::move(oj));
    if (o.violated && !o.item) j["violations"].push_back(o.name);
    if (o.violated && o.item) {
      if (!j.contains("item_violations")) j["item_violations"] = nlohmann::json::array();
      j["item_violations"].push_back({{"name", o.name}, {"item", item_json(*o.item)}});
    }
  }
  if (!items_.empty()) {
    j["items"] = nlohmann::json::array();
    for (const Item& it : items_) {
      nlohmann::json ij = item_json(it.ref);
      ij["law_as_of"] = it.law_as_of;
      ij["outputs"] = it.outputs;
      if (!it.undetermined.empty()) ij["undetermined"] = it.undetermined;
      j["items"].push_back(std::move(ij));
    }
  }
  if (!explanation_.is_null()) j["explanation"] = explanation_;
  return j;
}

interp::Result Interpret(const ir::Program& p, const Value& facts, const interp::EvalOptions& options) {
  if (p.max_depth <= kShallow) return interp::Evaluate(p, facts, options);
  return OnLargeStack([&] { return interp::Evaluate(p, facts, options); });
}

interp::EvalOptions ToInterpOptions(const Policy::Impl& impl, const EvalOptions& options) {
  const ir::Program& p = *impl.program;
  interp::EvalOptions opts;
  opts.set_now(ParseAsOf(options.as_of));
  opts.explain = options.explain;
  opts.budget = options.budget;
  if (options.params.empty()) return opts;
  std::shared_ptr<const std::map<int, Value>> cached;
  {
    std::lock_guard<std::mutex> lock(impl.overrides_mu);  // only to find it: threads share the policy
    auto it = impl.overrides.find(options.params);
    if (it != impl.overrides.end()) cached = it->second;
  }
  if (cached) {
    opts.param_overrides = *cached;
    return opts;
  }
  for (const auto& [name, text] : options.params) {
    int index = p.FindParam(name);
    if (index < 0) {
      std::string known;
      for (size_t i = 0; i < p.params.size(); ++i) known += (i ? ", `" : "`") + p.params[i].name + "`";
      throw FactsError(fmt::format("policy `{}` has no param `{}` (its params: {})", p.name, name,
                                   known.empty() ? "none" : known), name);
    }
    try {
      opts.param_overrides[index] = interp::ParseParamValue(text, p.params[index].type, p, name);
    } catch (const interp::FactsError& e) {
      throw FactsError(e.what(), e.path());
    }
  }
  auto parsed = std::make_shared<const std::map<int, Value>>(opts.param_overrides);
  std::lock_guard<std::mutex> lock(impl.overrides_mu);
  if (impl.overrides.size() >= kCachedOverrides) impl.overrides.clear();
  impl.overrides.emplace(options.params, std::move(parsed));
  return opts;
}

EvaluationError ToPublicError(const interp::EvalError& e, const SourceManager& sm, const std::string& prefix) {
  SourceLocation loc = Location(e.span(), sm);
  std::string where = loc.file.empty() ? "" : fmt::format("{}:{}:{}: ", loc.file, loc.line, loc.column);
  return EvaluationError(prefix + where + e.what(), loc);
}

Decision DecisionAccess::Make(const Policy::Impl& impl, const interp::Result& r, const interp::EvalOptions& opts) {
  const ir::Program& p = *impl.program;
  Decision d;
  d.policy_ = p.name;
  d.version_ = impl.version;
  d.as_of_ = FormatInstant(opts.now());
  if (p.law) d.law_as_of_ = FormatDate(r.law);
  const TypeTable& types = p.types();
  auto put = [&](nlohmann::json& values, nlohmann::json& undetermined, const ir::Output& out, const Value& v) {
    if (v.is_unknown()) undetermined[out.name] = FactsJson(p, MissingOf(v));
    else values[out.name] = interp::ValueToJson(v, out.type, types);
  };
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (p.outputs[o].scope >= 0) continue;
    put(d.outputs_, d.undetermined_, p.outputs[o], r.outputs[o]);
  }
  for (int id : interp::MissingFacts(r)) d.missing_facts_.push_back(p.facts.at(id));
  auto add = [&](const interp::ObligationResult& res, const std::optional<ItemRef>& item) {
    const ir::Obligation& o = p.obligations[res.obligation];
    Obligation ob;
    ob.name = o.name;
    ob.modality = static_cast<Modality>(o.modality);
    ob.subject = o.subject;
    ob.action = o.action;
    if (res.deadline) ob.deadline = o.instant ? FormatDateTime(*res.deadline) : FormatDate(*res.deadline);
    ob.deadline_kind = DeadlineKindName(o.deadline_kind);
    ob.standard = o.standard;
    ob.status = ir::DeadlineStatusName(res.status);
    for (const ir::Citation& c : o.citations) ob.citations.push_back(Citation{c.document, c.article, c.law, c.text});
    ob.interpretation = o.interpretation;
    ob.violated = res.violated;
    ob.applies_undetermined = res.applies_undetermined;
    ob.violation_undetermined = res.violation_undetermined;
    for (int id : res.missing) ob.missing.push_back(p.facts.at(id));
    ob.item = item;
    d.obligations_.push_back(std::move(ob));
  };
  for (const interp::ObligationResult& res : r.obligations) add(res, std::nullopt);
  for (const interp::ItemResult& it : r.items) {
    const ir::Scope& sc = p.scopes[it.scope];
    Item item;
    item.ref = ItemRef{sc.var, it.index, interp::ValueToJson(it.key, sc.key_type, types)};
    item.law_as_of = FormatDate(it.law);
    for (size_t k = 0; k < sc.outputs.size(); ++k) put(item.outputs, item.undetermined, p.outputs[sc.outputs[k]], it.outputs[k]);
    for (const interp::ObligationResult& res : it.obligations) add(res, item.ref);
    d.items_.push_back(std::move(item));
  }
  return d;
}

Decision Policy::Evaluate(const nlohmann::json& facts, const EvalOptions& options) const {
  const ir::Program& p = *impl_->program;
  interp::EvalOptions opts = ToInterpOptions(*impl_, options);
  Value input;
  try {
    input = interp::FactsFromJson(facts, p);
  } catch (const interp::FactsError& e) {
    throw FactsError(e.what(), e.path());
  }
  interp::Result r;
  try {
    // The explanation needs the interpreter's traces; otherwise native code decides.
    if (impl_->native && !options.explain) {
      impl_->native->CountRows(1);  // a policy evaluated often gets its optimised row,
      // and param values it is evaluated under often a row specialised to them
      jit::CompiledPolicy::SpecializedRow s = impl_->native->Specialized(ParamValues(p, opts), 1);
      r = EvaluateNative(p, *impl_->native, input, opts, s.row, s.texts);
    } else {
      r = Interpret(p, input, opts);
    }
  } catch (const interp::EvalError& e) {
    EvaluationError error = ToPublicError(e, impl_->front->sources);
    if (options.explain && e.partial) {
      nlohmann::json json;
      std::string text;
      Explain(p, *e.partial, json, text);
      error.set_explanation(std::move(json), std::move(text));
    }
    throw error;
  }
  Decision d = DecisionAccess::Make(*impl_, r, opts);
  if (options.explain) Explain(p, r, d.explanation_, d.explanation_text_);
  return d;
}

std::vector<TestOutcome> Policy::RunTests(const std::optional<std::string>& today) const {
  std::vector<TestOutcome> out;
  interp::Evaluator evaluate;
  if (impl_->native) {
    const Impl* impl = impl_.get();
    evaluate = [impl](const Value& facts, const interp::EvalOptions& opts) {
      return EvaluateNative(*impl->program, *impl->native, facts, opts);
    };
  }
  int64_t day = DayOf(ParseAsOf(today));
  auto results = OnLargeStack([&] { return interp::RunTests(*impl_->program, day, evaluate); });
  for (const interp::TestResult& t : results) {
    out.push_back(TestOutcome{t.name, Location(t.span, impl_->front->sources), t.passed, t.failures});
  }
  return out;
}

const std::string& Policy::name() const { return impl_->program->name; }

const std::string& Policy::version() const { return impl_->version; }

Backend Policy::backend() const { return impl_->native ? Backend::kJit : Backend::kInterpreter; }

std::vector<std::string> Policy::output_names() const {
  std::vector<std::string> out;
  for (const auto& o : impl_->program->outputs) if (o.scope < 0) out.push_back(o.name);
  return out;
}

std::vector<std::pair<std::string, std::string>> FilesOf(const SourceManager& sm) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < sm.size(); ++i) out.push_back({sm.file(i).path, sm.file(i).text});
  return out;
}

std::vector<std::pair<std::string, std::string>> Policy::SourceFiles() const { return FilesOf(impl_->front->sources); }

std::vector<std::string> Policy::param_names() const {
  std::vector<std::string> out;
  for (const auto& p : impl_->program->params) out.push_back(p.name);
  return out;
}

const std::vector<PolicyDiagnostic>& Policy::warnings() const { return impl_->warnings; }

namespace {

std::string DumpStage(const Policy::Impl& impl, const std::string& stage) {
  const ir::Program& p = *impl.program;
  if (stage == "ast") return ast::Dump(p.checked->main());
  if (stage == "typed") return DumpTyped(*p.checked);
  if (stage == "ir") return ir::Dump(p);
  if (stage == "llvm") {
    DiagnosticSink diags;
    if (!HasNativeLayout(p, diags)) throw Error(RenderText(diags.diagnostics(), impl.front->sources));
    std::vector<codegen::BatchLeaf> leaves;
    std::vector<codegen::BatchOutput> outputs;
    bool batch = BatchShape(p, leaves, outputs);
    // The two modules the JIT compiles: the row entry, then (on first use) the batch entry.
    std::string text = "; ---- row module\n" + jit::EmitLLVM(p, false, leaves, outputs, diags, /*optimize=*/true);
    if (batch && !diags.HasErrors()) {
      text += "\n; ---- batch module\n" + jit::EmitLLVM(p, true, leaves, outputs, diags, /*optimize=*/true);
    }
    if (diags.HasErrors()) throw Error(RenderText(diags.diagnostics(), impl.front->sources));
    return text;
  }
  if (stage == "cpp") return EmitCpp(impl);
  throw Error(fmt::format("unknown stage `{}` (ast, typed, ir, llvm, cpp)", stage));
}

}  // namespace

std::string Policy::Dump(const std::string& stage) const {
  // The printers and the code generator recurse as deep as the policy nests.
  return OnLargeStack([&] { return DumpStage(*impl_, stage); });
}

namespace {

CompileError Failure(std::vector<PolicyDiagnostic> diags, int errors) {
  std::string first;
  for (const auto& d : diags) {
    if (d.severity == "error") {
      first = d.location.file.empty() ? d.message
                                      : fmt::format("{}:{}:{}: {}", d.location.file, d.location.line, d.location.column, d.message);
      break;
    }
  }
  return CompileError(fmt::format("{} ({} error{})", first, errors, errors == 1 ? "" : "s"), std::move(diags));
}

// Policy::version(): the SHA-256 of the files' contents in load order, each preceded by its size
// (so that no two sequences of files run together into the same bytes). Paths are left out: the
// same sources decide the same wherever they are.
std::string VersionOf(const SourceManager& sm) {
  std::string all = "proviso policy version 1\n";
  for (int i = 0; i < sm.size(); ++i) {
    const std::string& text = sm.file(i).text;
    all += std::to_string(text.size());
    all += '\n';
    all += text;
  }
  return jit::Sha256Hex(all);
}

Policy::Impl* Finish(std::unique_ptr<FrontEnd> fe, const EngineOptions& options) {
  std::vector<PolicyDiagnostic> diags;
  for (const Diagnostic& d : fe->diags.diagnostics()) diags.push_back(ToPublic(d, fe->sources));
  if (!fe->ok()) {
    throw Failure(std::move(diags), fe->diags.ErrorCount());
  }
  auto impl = std::make_unique<Policy::Impl>();
  try {
    impl->program = ir::Lower(std::move(fe->program));
  } catch (const ir::ConstantError& e) {
    fe->diags.Error("E0507", e.span(), e.what());
    diags.push_back(ToPublic(fe->diags.diagnostics().back(), fe->sources));
    throw Failure(std::move(diags), fe->diags.ErrorCount());
  }
  impl->warnings = std::move(diags);
  impl->front = std::move(fe);
  impl->version = VersionOf(impl->front->sources);
  if (options.backend == Backend::kJit) {
    DiagnosticSink jit_diags;
    impl->native = CompileNative(*impl->program, jit_diags);
    if (!impl->native) {
      std::vector<PolicyDiagnostic> errors;
      for (const Diagnostic& d : jit_diags.diagnostics()) errors.push_back(ToPublic(d, impl->front->sources));
      throw Failure(std::move(errors), jit_diags.ErrorCount());
    }
  }
  return impl.release();
}

}  // namespace

namespace {

// The compile cache: compiled policies keyed by what went into them. An entry is valid while every
// source file still has the content it had (checked by re-reading the files: no parsing).
struct CacheEntry {
  std::vector<std::pair<std::string, uint64_t>> files;  // path, content hash
  std::shared_ptr<const Policy::Impl> impl;
};

uint64_t Hash(const std::string& text) {  // FNV-1a
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::mutex g_cache_mu;
std::map<std::string, CacheEntry> g_cache;
constexpr size_t kCacheLimit = 64;

std::string CacheKey(const std::string& kind, const std::string& what, const EngineOptions& o) {
  return fmt::format("{}:{}:{}:{}", kind, static_cast<int>(o.backend), o.import_root, what);
}

bool StillValid(const CacheEntry& e) {
  for (const auto& [path, hash] : e.files) {
    std::string error;
    std::optional<std::string> text = ReadWholeFile(path, kMaxSourceBytes, &error);
    if (!text || Hash(*text) != hash) return false;
  }
  return true;
}

void Remember(const std::string& key, const std::shared_ptr<const Policy::Impl>& impl, bool from_files) {
  CacheEntry e;
  e.impl = impl;
  const SourceManager& sm = impl->front->sources;
  if (from_files) {
    for (int i = 0; i < sm.size(); ++i) e.files.push_back({sm.file(i).path, Hash(sm.file(i).text)});
  }
  // Entries leave the cache after the lock is released: unloading the last copy of a policy's
  // native code must not hold up every other compile.
  CacheEntry evicted, replaced;
  std::lock_guard<std::mutex> lock(g_cache_mu);
  if (g_cache.size() >= kCacheLimit) {
    evicted = std::move(g_cache.begin()->second);
    g_cache.erase(g_cache.begin());
  }
  CacheEntry& slot = g_cache[key];
  replaced = std::move(slot);
  slot = std::move(e);
}

}  // namespace

std::shared_ptr<const Policy::Impl> CompileFileImpl(const EngineOptions& options, const std::string& path,
                                                    std::vector<std::pair<std::string, std::string>>* files_read) {
  std::string key = CacheKey("file", path, options);
  if (options.cache) {
    std::shared_ptr<const Policy::Impl> hit;
    {
      std::lock_guard<std::mutex> lock(g_cache_mu);
      auto it = g_cache.find(key);
      if (it != g_cache.end() && StillValid(it->second)) hit = it->second.impl;
    }
    if (hit) {
      if (files_read) *files_read = FilesOf(hit->front->sources);
      return hit;
    }
  }
  // The compiler's stages recurse over expressions: give them a large stack whatever the caller's.
  auto impl = std::shared_ptr<const Policy::Impl>(OnLargeStack([&] {
    std::unique_ptr<FrontEnd> fe = proviso::CompileFile(path, FrontEndOptions{options.import_root});
    if (files_read) *files_read = FilesOf(fe->sources);  // before Finish, which throws on errors
    return Finish(std::move(fe), options);
  }));
  if (options.cache) Remember(key, impl, true);
  return impl;
}

Policy Engine::CompileFile(const std::string& path) const {
  return Policy(CompileFileImpl(options_, path, nullptr));
}

Policy Engine::CompileString(const std::string& source, const std::string& name) const {
  std::string key = CacheKey("text", fmt::format("{}:{}:{}", name, Hash(source), source.size()), options_);
  if (options_.cache) {
    std::lock_guard<std::mutex> lock(g_cache_mu);
    auto it = g_cache.find(key);
    // Imports of a policy given as text are files: they must still match too.
    if (it != g_cache.end() && StillValid(it->second)) return Policy(it->second.impl);
  }
  auto impl = std::shared_ptr<const Policy::Impl>(
      OnLargeStack([&] {
        return Finish(proviso::CompileSource(name, source, FrontEndOptions{options_.import_root}), options_);
      }));
  if (options_.cache) {
    Remember(key, impl, true);
    std::lock_guard<std::mutex> lock(g_cache_mu);
    auto& files = g_cache[key].files;
    if (!files.empty()) files.erase(files.begin());  // the text itself is the key, not a file
  }
  return Policy(impl);
}

void Engine::ClearCache() {
  std::map<std::string, CacheEntry> forgotten;  // destroyed after the lock is released (see Remember)
  std::lock_guard<std::mutex> lock(g_cache_mu);
  forgotten.swap(g_cache);
}

}  // namespace proviso
