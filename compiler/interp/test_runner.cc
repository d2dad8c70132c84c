#include "compiler/interp/test_runner.h"

#include <fmt/format.h>

#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"

namespace proviso::interp {

int64_t DefaultAsOf(const ir::Program& p, int64_t today) {
  return p.effective.from != INT64_MIN ? p.effective.from : today;
}

namespace {

void SetPath(nlohmann::json& root, const std::vector<std::string>& path, const nlohmann::json& value) {
  nlohmann::json* cur = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    nlohmann::json& next = (*cur)[path[i]];
    if (!next.is_object()) next = nlohmann::json::object();
    cur = &next;
  }
  nlohmann::json& slot = (*cur)[path.back()];
  if (slot.is_object() && value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) slot[it.key()] = it.value();
  } else {
    slot = value;
  }
}

// The element of `scope` whose key is `key` in a decision, or null.
const ItemResult* FindItem(const ir::Program& p, const Result& res, int scope, const Value& key) {
  (void)p;
  for (const ItemResult& item : res.items) {
    if (item.scope == scope && item.key == key) return &item;
  }
  return nullptr;
}

std::string NoItem(const ir::Program& p, const ir::TestExpect& x) {
  int scope = x.kind == ast::TestExpect::Kind::kValue
                  ? (x.is_output ? p.outputs[x.index].scope : p.lets[x.index].scope)
                  : p.obligations[x.index].scope;
  return fmt::format("expected `{}` for {}, but no element of `{}` has that key", x.name,
                     FormatValue(*x.item, p.scopes[scope].key_type, p.types()), p.scopes[scope].var);
}

std::string FactList(const ir::Program& p, const std::vector<int>& ids) {
  std::string out;
  for (size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + p.facts.at(ids[k]);
  return out.empty() ? "none" : out;
}

// `missing a, b`: exactly those facts are missing.
void CheckMissing(const ir::Program& p, const ir::TestExpect& x, const std::vector<int>& got, TestResult& r) {
  if (x.missing && *x.missing != got) {
    r.failures.push_back(fmt::format("expected `{}` to be missing {}, but it is missing {}", x.name,
                                     FactList(p, *x.missing), FactList(p, got)));
  }
}

TestResult RunOne(const ir::Program& p, const ir::Test& t, int64_t today, const Evaluator& evaluate,
                  const TestObserver& observe, std::vector<std::vector<bool>>* table_rows) {
  TestResult r;
  r.name = t.name;
  r.span = t.span;
  nlohmann::json facts = nlohmann::json::object();
  for (const ir::TestGiven& g : t.givens) SetPath(facts, g.path, nlohmann::json::parse(g.json));
  EvalOptions opts;
  if (t.as_of) opts.set_now(*t.as_of);
  else opts.as_of = DefaultAsOf(p, today);
  for (const auto& [param, value] : t.sets) opts.param_overrides[param] = value;
  opts.explain = observe != nullptr;
  opts.table_rows = table_rows;
  const ir::TestExpect* expect_error = nullptr;
  for (const ir::TestExpect& x : t.expects) {
    if (x.kind == ast::TestExpect::Kind::kError) expect_error = &x;
  }
  const TypeTable& types = p.types();
  try {
    Value input = FactsFromJson(facts, p);
    Result res = evaluate ? evaluate(input, opts) : Evaluate(p, input, opts);
    if (observe) observe(t, res);
    if (expect_error) {
      r.failures.push_back("expected the evaluation to fail" +
                           (expect_error->error_text.empty() ? "" : fmt::format(" with \"{}\"", expect_error->error_text)) +
                           ", but it gave a complete decision");
    }
    for (const ir::TestExpect& x : t.expects) {
      switch (x.kind) {
        case ast::TestExpect::Kind::kValue: {
          const Type* type = x.is_output ? p.outputs[x.index].type : p.lets[x.index].type;
          Value got;
          if (!x.item) {
            got = x.is_output ? res.outputs[x.index] : EvaluateLet(p, input, opts, x.index);
          } else {
            const ItemResult* item = FindItem(p, res, x.is_output ? p.outputs[x.index].scope : p.lets[x.index].scope, *x.item);
            if (!item) {
              r.failures.push_back(NoItem(p, x));
              break;
            }
            if (x.is_output) {
              const auto& outs = p.scopes[item->scope].outputs;
              got = item->outputs[std::find(outs.begin(), outs.end(), x.index) - outs.begin()];
            } else {
              got = *EvaluateItemLet(p, input, opts, x.index, *x.item);
            }
          }
          if (!got.is_unknown() && HasUnknownPart(got)) got = Value::Unknown(DeepMissingOf(got));  // a let's record
          if (x.undetermined) {
            if (!got.is_unknown()) {
              r.failures.push_back(fmt::format("expected `{}` to be undetermined, got {}", x.name, FormatValue(got, type, types)));
            } else {
              CheckMissing(p, x, MissingOf(got), r);
            }
          } else if (got.is_unknown()) {
            r.failures.push_back(fmt::format("expected `{}` = {}, but it is undetermined (missing {})", x.name,
                                             FormatValue(x.value, type, types), FactList(p, MissingOf(got))));
          } else if (got != x.value) {
            r.failures.push_back(fmt::format("expected `{}` = {}, got {}", x.name, FormatValue(x.value, type, types),
                                             FormatValue(got, type, types)));
          }
          break;
        }
        case ast::TestExpect::Kind::kObligation:
        case ast::TestExpect::Kind::kNoObligation: {
          const ObligationResult* found = nullptr;
          const std::vector<ObligationResult>* list = &res.obligations;
          if (x.item) {
            const ItemResult* item = FindItem(p, res, p.obligations[x.index].scope, *x.item);
            if (!item) {
              r.failures.push_back(NoItem(p, x));
              break;
            }
            list = &item->obligations;
          }
          for (const auto& o : *list) if (o.obligation == x.index) found = &o;
          if (x.kind == ast::TestExpect::Kind::kNoObligation) {
            if (found) {
              r.failures.push_back(fmt::format("expected no obligation `{}`, but it {}", x.name,
                                               found->applies_undetermined ? "may apply (undetermined)" : "applies"));
            }
            break;
          }
          if (!found) {
            r.failures.push_back(fmt::format("expected obligation `{}`, but it does not apply", x.name));
            break;
          }
          if (x.undetermined != found->applies_undetermined) {
            r.failures.push_back(x.undetermined
                                     ? fmt::format("expected whether obligation `{}` applies to be undetermined, but it applies", x.name)
                                     : fmt::format("expected obligation `{}` to apply, but whether it does is undetermined "
                                                   "(missing {})", x.name, FactList(p, found->missing)));
          }
          auto violation = [](const ObligationResult& o) {
            return o.violation_undetermined ? "undetermined" : o.violated ? "violated" : "not violated";
          };
          if ((x.violated && (*x.violated != found->violated || found->violation_undetermined)) ||
              (x.violation_undetermined && !found->violation_undetermined)) {
            r.failures.push_back(fmt::format("expected obligation `{}` to be {}, but it is {}", x.name,
                                             x.violation_undetermined ? "undetermined" : *x.violated ? "violated" : "not violated",
                                             violation(*found)));
          }
          CheckMissing(p, x, found->missing, r);
          bool instant = p.obligations[x.index].instant;
          auto when = [&](int64_t v) { return instant ? FormatDateTime(v) : FormatDate(v); };
          if (x.deadline && (!found->deadline || *found->deadline != *x.deadline)) {
            r.failures.push_back(fmt::format("expected obligation `{}` to have deadline {}, got {}", x.name,
                                             when(*x.deadline), found->deadline ? when(*found->deadline) : "none"));
          }
          if (x.status != ir::DeadlineStatus::kNone && x.status != found->status) {
            const char* got = ir::DeadlineStatusName(found->status);
            r.failures.push_back(fmt::format("expected obligation `{}` to be {}, but it is {}", x.name,
                                             ir::DeadlineStatusName(x.status), *got ? got : "without a status"));
          }
          break;
        }
        case ast::TestExpect::Kind::kError: break;
      }
    }
  } catch (const std::runtime_error& e) {  // FactsError or EvalError
    std::string message = e.what();
    if (!expect_error) {
      r.failures.push_back(fmt::format("evaluation failed: {}", message));
    } else if (message.find(expect_error->error_text) == std::string::npos) {
      r.failures.push_back(fmt::format("expected an error containing \"{}\", got: {}", expect_error->error_text, message));
    }
  }
  r.passed = r.failures.empty();
  return r;
}

}  // namespace

std::vector<TestResult> RunTests(const ir::Program& p, int64_t today, const Evaluator& evaluate,
                                 const TestObserver& observe, std::vector<std::vector<bool>>* table_rows) {
  std::vector<TestResult> out;
  for (const ir::Test& t : p.tests) out.push_back(RunOne(p, t, today, evaluate, observe, table_rows));
  return out;
}

}  // namespace proviso::interp
