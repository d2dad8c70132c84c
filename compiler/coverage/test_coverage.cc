#include "compiler/coverage/test_coverage.h"

#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"
#include "compiler/support/large_stack.h"

namespace proviso::coverage {
namespace {

// Each kind, and how a count of it reads.
const std::pair<const char*, const char*> kKinds[] = {
    {"rule", "rules"}, {"exception", "exceptions"}, {"row", "table rows"},
    {"obligation", "obligations applied"}, {"violation", "duties violated"}};

// What every policy's tests reach, merged by declaration: a library's tables are reached by the tests
// of the policies that import it.
struct Merged {
  std::vector<FileCoverage> files;  // in the order files are met
  std::map<std::string, size_t> file_index;
  std::map<std::tuple<std::string, int, std::string>, std::pair<size_t, size_t>> at;  // -> file, item
  std::set<std::string> statuses_seen;

  FileCoverage& File(const std::string& f) {
    auto [it, fresh] = file_index.emplace(f, files.size());
    if (fresh) files.push_back(FileCoverage{f, true, "", {}, {}});
    return files[it->second];
  }
  void Add(Item item) {
    auto key = std::make_tuple(item.file, item.line, item.name);
    auto it = at.find(key);
    if (it != at.end()) {
      files[it->second.first].items[it->second.second].covered = files[it->second.first].items[it->second.second].covered || item.covered;
      return;
    }
    FileCoverage& fc = File(item.file);
    at[key] = {file_index[item.file], fc.items.size()};
    fc.items.push_back(std::move(item));
  }
};

void OneFile(const std::string& file, int64_t today, Merged& merged) {
  merged.File(file);
  auto fail = [&](std::string why) {
    FileCoverage& fc = merged.File(file);
    fc.compiled = false;
    fc.error = std::move(why);
  };
  std::unique_ptr<FrontEnd> fe = OnLargeStack([&] { return CompileFile(file); });
  if (!fe->ok()) return fail("does not compile (proviso check " + file + ")");
  const SourceManager& sm = fe->sources;
  std::unique_ptr<ir::Program> p;
  try {
    p = OnLargeStack([&] { return ir::Lower(std::move(fe->program)); });
  } catch (const ir::ConstantError& e) {
    return fail(e.what());
  }
  auto line = [&](const Span& s) { return s.valid() ? s.line : 0; };
  auto path = [&](const Span& s) { return s.valid() ? sm.file(s.file).path : file; };
  std::vector<bool> rule_held(p->rules.size()), applied(p->obligations.size()), violated(p->obligations.size());
  std::vector<std::set<std::string>> statuses(p->obligations.size());
  std::vector<std::vector<bool>> rows(p->tables.size());
  auto observe = [&](const ir::Test&, const interp::Result& res) {
    auto trace = [&](const std::vector<interp::OutputTrace>& outs) {
      for (const auto& o : outs) {
        for (const auto& t : o.rules) {
          if (t.status == interp::RuleStatus::kApplied || t.status == interp::RuleStatus::kOverridden) rule_held[t.rule] = true;
        }
      }
    };
    auto obligations = [&](const std::vector<interp::ObligationResult>& os) {
      for (const auto& o : os) {
        if (o.applies_undetermined) continue;
        applied[o.obligation] = true;
        if (o.violated) violated[o.obligation] = true;
        if (o.status != ir::DeadlineStatus::kNone) statuses[o.obligation].insert(ir::DeadlineStatusName(o.status));
      }
    };
    trace(res.trace);
    obligations(res.obligations);
    for (const auto& item : res.items) {
      trace(item.trace);
      obligations(item.obligations);
    }
  };
  OnLargeStack([&] { return interp::RunTests(*p, today, nullptr, observe, &rows); });
  for (size_t i = 0; i < p->rules.size(); ++i) {
    const ir::Rule& r = p->rules[i];
    merged.Add({r.parents.empty() ? "rule" : "exception", fmt::format("rule `{}`", r.name), path(r.span), line(r.span),
                static_cast<bool>(rule_held[i])});
  }
  for (size_t t = 0; t < p->tables.size(); ++t) {
    const ir::Table& tb = p->tables[t];
    rows[t].resize(tb.rows.size() + 1);
    for (size_t r = 0; r < tb.rows.size(); ++r) {
      merged.Add({"row", fmt::format("row {} of table `{}`", r + 1, tb.name), path(tb.span), line(tb.rows[r].span),
                  static_cast<bool>(rows[t][r])});
    }
    if (tb.default_result) {
      merged.Add({"row", fmt::format("the default row of table `{}`", tb.name), path(tb.span),
                  line(tb.default_result->span()), static_cast<bool>(rows[t][tb.rows.size()])});
    }
  }
  for (size_t i = 0; i < p->obligations.size(); ++i) {
    const ir::Obligation& o = p->obligations[i];
    std::string where = path(o.span);
    merged.Add({"obligation", fmt::format("obligation `{}` applies", o.name), where, line(o.span), static_cast<bool>(applied[i])});
    // Only a duty whose breach the policy can establish is asked to be seen violated.
    bool can_violate = o.modality != ast::Modality::kMay &&
                       (o.violated || o.done_at || o.deleted_at || o.overdue || o.deadline_kind == ir::DeadlineKind::kRetention);
    if (can_violate) {
      merged.Add({"violation", fmt::format("obligation `{}` violated", o.name), where, line(o.span), static_cast<bool>(violated[i])});
    }
    if (o.deadline_kind != ir::DeadlineKind::kNone && merged.statuses_seen.insert(where + ":" + o.name).second) {
      std::string seen;
      for (const std::string& st : statuses[i]) seen += (seen.empty() ? "" : ", ") + st;
      merged.File(where).statuses.push_back(fmt::format("obligation `{}`: {}", o.name, seen.empty() ? "no status seen" : seen));
    }
  }
}

std::map<std::string, std::pair<int, int>> Counts(const std::vector<Item>& items) {
  std::map<std::string, std::pair<int, int>> c;  // kind -> covered, total
  for (const Item& i : items) {
    auto& [covered, total] = c[i.kind];
    covered += i.covered;
    ++total;
  }
  return c;
}

std::string CountsText(const std::vector<Item>& items) {
  auto c = Counts(items);
  std::string out;
  for (const auto& [kind, label] : kKinds) {
    auto it = c.find(kind);
    if (it == c.end()) continue;
    out += fmt::format("{}{} {}/{}", out.empty() ? "" : ", ", label, it->second.first, it->second.second);
  }
  return out.empty() ? "nothing to cover" : out;
}

}  // namespace

double TestCoverageReport::Percent() const {
  int covered = 0, total = 0;
  for (const FileCoverage& f : files) {
    for (const Item& i : f.items) {
      if (i.kind != "rule" && i.kind != "exception" && i.kind != "row") continue;
      covered += i.covered;
      ++total;
    }
  }
  return total == 0 ? 100.0 : 100.0 * covered / total;
}

TestCoverageReport TestCoverage(const std::vector<std::string>& policy_files, int64_t today) {
  Merged merged;
  for (const std::string& f : policy_files) OneFile(f, today, merged);
  return TestCoverageReport{std::move(merged.files)};
}

std::string ToText(const TestCoverageReport& r) {
  std::string out = "coverage of the policies' own tests (reference interpreter):\n";
  std::vector<Item> all;
  for (const FileCoverage& f : r.files) {
    if (!f.compiled) {
      out += fmt::format("{}: {}\n", f.file, f.error);
      continue;
    }
    out += fmt::format("{}: {}\n", f.file, CountsText(f.items));
    for (const Item& i : f.items) {
      if (!i.covered) out += fmt::format("  not reached: {} ({}:{})\n", i.name, i.file, i.line);
    }
    for (const std::string& s : f.statuses) out += fmt::format("  deadline statuses seen: {}\n", s);
    all.insert(all.end(), f.items.begin(), f.items.end());
  }
  out += fmt::format("total: {}; rules, exceptions and table rows {:.1f}%\n", CountsText(all), r.Percent());
  return out;
}

nlohmann::json ToJson(const TestCoverageReport& r) {
  nlohmann::json files = nlohmann::json::array();
  for (const FileCoverage& f : r.files) {
    nlohmann::json j = {{"file", f.file}, {"compiled", f.compiled}};
    if (!f.compiled) j["error"] = f.error;
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [kind, c] : Counts(f.items)) counts[kind] = {{"covered", c.first}, {"total", c.second}};
    j["counts"] = counts;
    j["uncovered"] = nlohmann::json::array();
    for (const Item& i : f.items) {
      if (!i.covered) j["uncovered"].push_back({{"kind", i.kind}, {"name", i.name}, {"line", i.line}});
    }
    j["statuses"] = f.statuses;
    files.push_back(j);
  }
  return {{"files", files}, {"percent", r.Percent()}};
}

}  // namespace proviso::coverage
