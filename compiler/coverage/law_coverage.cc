#include "compiler/coverage/law_coverage.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"
#include "compiler/law/law.h"
#include "compiler/support/large_stack.h"

namespace proviso::coverage {

namespace fs = std::filesystem;

std::string ParagraphCoverage::Status() const {
  if (informative) return "informative";
  if (!cited_by.empty()) return "encoded";
  if (!not_encoded.empty()) return "not encoded";
  return "missing";
}

namespace {

std::string Key(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : canonical.string();
}

std::string Where(const Place& p) { return fmt::format("{}:{}:{}", p.file, p.line, p.column); }

bool Conditional(const ParagraphCoverage& p) {
  return std::any_of(p.cited_by.begin(), p.cited_by.end(), [](const Citer& c) { return c.conditional; });
}

// "2 negative", or "no condition" when nothing citing it can be decided not to apply.
std::string Negative(const ParagraphCoverage& p) {
  return Conditional(p) ? fmt::format("{} negative", p.negative.size()) : "no condition to test negatively";
}

class Builder {
 public:
  explicit Builder(int64_t today) : today_(today) {}

  Report Run(const std::vector<std::string>& paths) {
    std::vector<std::string> policies, laws;
    for (const std::string& path : paths) {
      std::error_code ec;
      if (fs::is_directory(path, ec)) {
        std::vector<std::string> found;
        for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
          if (!e.is_regular_file()) continue;
          if (e.path().extension() == ".proviso" || e.path().extension() == ".law") found.push_back(e.path().string());
        }
        std::sort(found.begin(), found.end());
        for (const std::string& f : found) (fs::path(f).extension() == ".law" ? laws : policies).push_back(f);
      } else if (!fs::exists(path, ec)) {
        report_.problems.push_back(fmt::format("{}: no such file or folder", path));
      } else {
        (fs::path(path).extension() == ".law" ? laws : policies).push_back(path);
      }
    }
    for (const std::string& p : policies) Policy(p);
    for (const std::string& l : laws) LawFile(l);
    for (const DocumentCoverage& d : report_.documents) {
      for (const ParagraphCoverage& p : d.paragraphs) Judge(d, p);
    }
    std::stable_sort(report_.interpretations.begin(), report_.interpretations.end(),
                     [](const InterpretationMark& a, const InterpretationMark& b) {
                       return std::tie(a.place.file, a.place.line) < std::tie(b.place.file, b.place.line);
                     });
    std::sort(report_.problems.begin(), report_.problems.end());
    report_.problems.erase(std::unique(report_.problems.begin(), report_.problems.end()), report_.problems.end());
    return std::move(report_);
  }

 private:
  using Para = std::pair<int, int>;  // document, paragraph (in report_.documents)

  static Place At(const SourceManager& sm, const Span& s) {
    if (!s.valid()) return Place{};
    return Place{sm.file(s.file).path, s.line, s.col};
  }

  int AddDocument(const law::Document& d, const SourceManager& sm) {
    std::string key = Key(d.path);
    auto it = documents_.find(key);
    if (it != documents_.end()) return it->second;
    DocumentCoverage doc{d.name, d.title, d.path, {}};
    for (const law::Paragraph& p : d.paragraphs) {
      ParagraphCoverage pc;
      pc.id = p.id;
      pc.text = p.text;
      pc.place = At(sm, p.span);
      pc.informative = p.informative;
      pc.informative_reason = p.reason;
      doc.paragraphs.push_back(std::move(pc));
    }
    report_.documents.push_back(std::move(doc));
    return documents_[key] = static_cast<int>(report_.documents.size()) - 1;
  }

  void LawFile(const std::string& path) {
    if (documents_.count(Key(path))) return;
    SourceManager sm;
    DiagnosticSink diags;
    std::string error;
    int id = sm.Load(path, &error);
    if (id < 0) {
      report_.problems.push_back(fmt::format("{}: cannot read: {}", path, error));
      return;
    }
    std::optional<law::Document> doc = law::Parse(sm, id, diags);
    for (const Diagnostic& d : diags.diagnostics()) {
      report_.problems.push_back(fmt::format("{}: {}", FormatLocation(d.span, sm), d.message));
    }
    if (doc) AddDocument(*doc, sm);
  }

  ParagraphCoverage& Paragraph(Para p) { return report_.documents[p.first].paragraphs[p.second]; }

  void Cite(Para p, const std::string& kind, const std::string& name, Place place, bool conditional) {
    if (!citers_.insert({p, place.file, place.line, name}).second) return;  // an import seen before
    Paragraph(p).cited_by.push_back(Citer{kind, name, std::move(place), conditional});
  }

  void Policy(const std::string& file) {
    report_.policies.push_back(file);
    std::unique_ptr<FrontEnd> fe = CompileFile(file);
    const SourceManager& sm = fe->sources;
    for (const Diagnostic& d : fe->diags.diagnostics()) {
      if (d.code == "W0107") report_.problems.push_back(fmt::format("{}: {}", FormatLocation(d.span, sm), d.message));
    }
    if (!fe->ok()) {
      for (const Diagnostic& d : fe->diags.diagnostics()) {
        if (d.severity != Severity::kError) continue;
        report_.problems.push_back(fmt::format("{}: the policy does not compile: {}", FormatLocation(d.span, sm), d.message));
        break;
      }
      if (!fe->program) report_.problems.push_back(fmt::format("{}: the policy does not compile", file));
      return;
    }
    const CheckedProgram& c = *fe->program;
    std::vector<int> doc_of;
    for (const law::Document& d : c.laws) doc_of.push_back(AddDocument(d, sm));
    std::map<std::string, std::vector<Para>> rule_paras, obligation_paras;
    auto cites = [&](const std::vector<const ast::Citation*>& cs, const char* kind, const std::string& name, Span span,
                     std::map<std::string, std::vector<Para>>* by_name, bool conditional = false) {
      for (const ast::Citation* ci : cs) {
        if (ci->law < 0 || ci->paragraph < 0) continue;
        Para p{doc_of[ci->law], ci->paragraph};
        Cite(p, kind, name, At(sm, span), conditional);
        if (by_name) (*by_name)[name].push_back(p);
      }
    };
    for (const auto& m : c.modules) {
      for (const ast::RuleDecl& r : m->rules) {
        std::vector<const ast::Citation*> cs;
        for (const ast::Citation& ci : r.citations) cs.push_back(&ci);
        cites(cs, "rule", r.name, r.span, &rule_paras, r.when != nullptr);
      }
      for (const ast::ObligationDecl& o : m->obligations) {
        std::vector<const ast::Citation*> cs;
        for (const ast::Citation& ci : o.citations) cs.push_back(&ci);
        cites(cs, "obligation", o.name, o.span, &obligation_paras, o.when != nullptr);
      }
      for (const ast::ParamDecl& pd : m->params) {
        if (pd.citation) cites({&*pd.citation}, "param", pd.name, pd.span, nullptr);
      }
      for (const ast::TableDecl& t : m->tables) {
        if (t.citation) cites({&*t.citation}, "table", t.name, t.span, nullptr);
      }
      Interpretations(*m, sm);
      for (const ast::NotEncoded& n : m->not_encoded) {
        if (n.law < 0) continue;
        for (size_t i = 0; i < n.paragraphs.size(); ++i) {
          if (n.paragraphs[i] < 0) continue;
          Place place = At(sm, n.id_spans[i]);
          if (!marks_.insert({{doc_of[n.law], n.paragraphs[i]}, place.file, place.line, n.ids[i]}).second) continue;
          Paragraph({doc_of[n.law], n.paragraphs[i]}).not_encoded.push_back(NotEncodedMark{n.reason, place});
        }
      }
    }
    std::unique_ptr<ir::Program> program;
    try {
      program = ir::Lower(std::move(fe->program));
    } catch (const ir::ConstantError& e) {
      report_.problems.push_back(fmt::format("{}: the policy does not compile: {}", FormatLocation(e.span(), sm), e.what()));
      return;
    }
    RunTests(*program, sm, rule_paras, obligation_paras);
  }

  void Interpretation(const char* kind, const std::string& name, const ast::Interpretation& in, const SourceManager& sm) {
    if (!in.present()) return;
    Place place = At(sm, in.span);
    if (!interpreted_.insert({place.file, place.line, place.column}).second) return;  // an import seen before
    report_.interpretations.push_back(InterpretationMark{kind, name, in.reason, place});
  }

  void Interpretations(const ast::Module& m, const SourceManager& sm) {
    for (const ast::EnumDecl& e : m.enums) Interpretation("enum", e.name, e.interpretation, sm);
    auto fields = [&](const std::vector<ast::FieldDecl>& fs, const std::string& owner) {
      for (const ast::FieldDecl& f : fs) Interpretation("default", owner + "." + f.name, f.interpretation, sm);
    };
    for (const ast::RecordDecl& r : m.records) fields(r.fields, r.name);
    for (const ast::InputDecl& in : m.inputs) fields(in.fields, "input");
    for (const ast::ParamDecl& p : m.params) Interpretation("param", p.name, p.interpretation, sm);
    for (const ast::TableDecl& t : m.tables) Interpretation("table", t.name, t.interpretation, sm);
    for (const ast::RuleDecl& r : m.rules) Interpretation("rule", r.name, r.interpretation, sm);
    for (const ast::ObligationDecl& o : m.obligations) Interpretation("obligation", o.name, o.interpretation, sm);
  }

  // Runs the tests of `p` and records which paragraphs each one reaches, positively or negatively.
  void RunTests(const ir::Program& p, const SourceManager& sm, const std::map<std::string, std::vector<Para>>& rule_paras,
                const std::map<std::string, std::vector<Para>>& obligation_paras) {
    auto observe = [&](const ir::Test& t, const interp::Result& res) {
      TestRef ref{t.name, At(sm, t.span)};
      std::set<Para> pos, neg;
      auto mark = [](const std::map<std::string, std::vector<Para>>& by, const std::string& name, std::set<Para>& into) {
        auto it = by.find(name);
        if (it != by.end()) into.insert(it->second.begin(), it->second.end());
      };
      auto trace = [&](const std::vector<interp::OutputTrace>& outs) {
        for (const interp::OutputTrace& o : outs) {
          for (const interp::RuleTrace& r : o.rules) {
            const std::string& name = p.rules[r.rule].name;
            if (r.status == interp::RuleStatus::kApplied) {  // not kOverridden: an exception's consequence prevailed
              mark(rule_paras, name, pos);
            } else if (r.status == interp::RuleStatus::kNotApplicable && r.condition == false) {
              mark(rule_paras, name, neg);
            }
          }
        }
      };
      auto obligations = [&](const std::vector<interp::ObligationResult>& applied, const std::vector<interp::NotApplied>& not_applied) {
        for (const interp::ObligationResult& o : applied) {
          if (!o.applies_undetermined) mark(obligation_paras, p.obligations[o.obligation].name, pos);
        }
        for (const interp::NotApplied& n : not_applied) {
          if (!n.not_in_force) mark(obligation_paras, p.obligations[n.obligation].name, neg);
        }
      };
      trace(res.trace);
      obligations(res.obligations, res.not_applied);
      for (const interp::ItemResult& item : res.items) {
        trace(item.trace);
        obligations(item.obligations, item.not_applied);
      }
      for (Para x : pos) Paragraph(x).positive.push_back(ref);
      for (Para x : neg) Paragraph(x).negative.push_back(ref);
    };
    OnLargeStack([&] { return interp::RunTests(p, today_, nullptr, observe); });
  }

  void Judge(const DocumentCoverage& d, const ParagraphCoverage& p) {
    std::string what = fmt::format("{}: paragraph `{}` of `{}`", Where(p.place), p.id, d.name);
    std::string status = p.Status();
    if (status == "missing") {
      report_.problems.push_back(what + " has normative content, and no policy encodes it or marks it `not encoded`");
      return;
    }
    if (status != "encoded") return;
    bool decided = std::any_of(p.cited_by.begin(), p.cited_by.end(), [](const Citer& c) { return c.decides(); });
    if (!decided) {
      report_.problems.push_back(what + " is cited only by params or tables: cite it from the rule or obligation that decides on it");
      return;
    }
    if (p.positive.empty()) {
      report_.problems.push_back(what + " has no positive test (one in which a rule or obligation citing it applies)");
    }
    if (p.negative.empty() && Conditional(p)) {
      report_.problems.push_back(what + " has no negative test (one in which a rule or obligation citing it is decided not to apply)");
    }
  }

  int64_t today_;
  Report report_;
  std::map<std::string, int> documents_;  // by canonical path
  std::set<std::tuple<Para, std::string, int, std::string>> citers_, marks_;
  std::set<std::tuple<std::string, int, int>> interpreted_;
};

// "rule `a` (call_center), obligation `b` (call_center)": each declaration with the file it is in.
std::string Names(const std::vector<Citer>& cs) {
  std::string out;
  for (size_t i = 0; i < cs.size(); ++i) {
    out += fmt::format("{}{} `{}` ({})", i ? ", " : "", cs[i].kind, cs[i].name, fs::path(cs[i].place.file).stem().string());
  }
  return out;
}

// The first `n` characters of a paragraph, on one line.
std::string Excerpt(const std::string& text, size_t n) {
  std::string out;
  size_t chars = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && chars++ == n) return out + "...";
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

struct Counts {
  int informative = 0, encoded = 0, not_encoded = 0, missing = 0, total = 0;
};

Counts Count(const Report& r) {
  Counts c;
  for (const DocumentCoverage& d : r.documents) {
    for (const ParagraphCoverage& p : d.paragraphs) {
      std::string s = p.Status();
      ++c.total;
      ++(s == "informative" ? c.informative : s == "encoded" ? c.encoded : s == "not encoded" ? c.not_encoded : c.missing);
    }
  }
  return c;
}

nlohmann::json PlaceJson(const Place& p) { return {{"file", p.file}, {"line", p.line}}; }

}  // namespace

Report LawCoverage(const std::vector<std::string>& paths, int64_t today) { return Builder(today).Run(paths); }

std::string ToText(const Report& r) {
  Counts c = Count(r);
  std::string out = fmt::format("law coverage: {} document{}, {} paragraphs: {} encoded, {} not encoded, {} informative, "
                                "{} missing\n",
                                r.documents.size(), r.documents.size() == 1 ? "" : "s", c.total, c.encoded, c.not_encoded,
                                c.informative, c.missing);
  for (const DocumentCoverage& d : r.documents) {
    out += fmt::format("\n{} - {} ({})\n", d.name, d.title, d.path);
    for (const ParagraphCoverage& p : d.paragraphs) {
      std::string s = p.Status();
      std::string line = fmt::format("  {:<7} ", p.id);
      if (s == "informative") {
        line += "informative: " + p.informative_reason;
      } else if (s == "encoded") {
        line += fmt::format("encoded by {}; tests: {} positive, {}", Names(p.cited_by), p.positive.size(), Negative(p));
      } else if (s == "not encoded") {
        line += fmt::format("not encoded: {} ({})", p.not_encoded.front().reason, Where(p.not_encoded.front().place));
      } else {
        line += "MISSING: normative, neither encoded nor marked `not encoded`";
      }
      out += line + "\n";
    }
  }
  if (!r.interpretations.empty()) {
    out += fmt::format("\ninterpretations ({}): what the policies decide where the text is silent\n", r.interpretations.size());
    for (const InterpretationMark& m : r.interpretations) {
      out += fmt::format("  {}: {} `{}`: {}\n", Where(m.place), m.kind, m.name, m.reason);
    }
  }
  out += r.problems.empty() ? "\nthe law is covered: every paragraph is encoded and tested, marked not encoded, or informative\n"
                            : fmt::format("\n{} problem{}:\n", r.problems.size(), r.problems.size() == 1 ? "" : "s");
  for (const std::string& p : r.problems) out += "  " + p + "\n";
  return out;
}

nlohmann::json ToJson(const Report& r) {
  nlohmann::json docs = nlohmann::json::array();
  for (const DocumentCoverage& d : r.documents) {
    nlohmann::json paras = nlohmann::json::array();
    for (const ParagraphCoverage& p : d.paragraphs) {
      nlohmann::json j = {{"id", p.id}, {"status", p.Status()}, {"text", p.text}, {"file", p.place.file}, {"line", p.place.line}};
      if (p.informative) j["informative_reason"] = p.informative_reason;
      j["cited_by"] = nlohmann::json::array();
      for (const Citer& ci : p.cited_by) {
        nlohmann::json cj = PlaceJson(ci.place);
        cj["kind"] = ci.kind;
        cj["name"] = ci.name;
        j["cited_by"].push_back(cj);
      }
      j["not_encoded"] = nlohmann::json::array();
      for (const NotEncodedMark& m : p.not_encoded) {
        nlohmann::json mj = PlaceJson(m.place);
        mj["reason"] = m.reason;
        j["not_encoded"].push_back(mj);
      }
      for (const char* key : {"positive", "negative"}) {
        j[key] = nlohmann::json::array();
        for (const TestRef& t : std::string(key) == "positive" ? p.positive : p.negative) {
          nlohmann::json tj = PlaceJson(t.place);
          tj["name"] = t.name;
          j[key].push_back(tj);
        }
      }
      paras.push_back(j);
    }
    docs.push_back({{"name", d.name}, {"title", d.title}, {"path", d.path}, {"paragraphs", paras}});
  }
  nlohmann::json interpretations = nlohmann::json::array();
  for (const InterpretationMark& m : r.interpretations) {
    nlohmann::json j = PlaceJson(m.place);
    j["kind"] = m.kind;
    j["name"] = m.name;
    j["reason"] = m.reason;
    interpretations.push_back(j);
  }
  return {{"documents", docs}, {"interpretations", interpretations}, {"policies", r.policies}, {"problems", r.problems}, {"covered", r.problems.empty()}};
}

std::string ToMarkdown(const Report& r) {
  Counts c = Count(r);
  std::string out = "# Coverage of the law\n\n"
                    "Generated by `proviso coverage --law policies/cn --format markdown`; a test checks that this page\n"
                    "matches the policies. Each paragraph of each law document is *encoded* (cited by the rules,\n"
                    "obligations, params and tables listed, with the number of tests in which what cites it applies\n"
                    "(+) and is decided not to apply (-)), *not encoded* (with the policy's reason), or *informative*\n"
                    "(no normative content; the law file says why).\n\n";
  out += fmt::format("{} documents, {} paragraphs: {} encoded, {} not encoded, {} informative, {} missing.\n",
                     r.documents.size(), c.total, c.encoded, c.not_encoded, c.informative, c.missing);
  auto cell = [](std::string s) {
    std::string out;
    for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
  };
  for (const DocumentCoverage& d : r.documents) {
    out += fmt::format("\n## {}\n\n`{}`: `{}`\n\n", d.title, d.name, d.path);
    out += "| Paragraph | Text | Status | By | Tests |\n|---|---|---|---|---|\n";
    for (const ParagraphCoverage& p : d.paragraphs) {
      std::string s = p.Status(), by, tests;
      if (s == "informative") by = p.informative_reason;
      else if (s == "encoded") {
        by = Names(p.cited_by);
        tests = fmt::format("+{} / -{}", p.positive.size(), Conditional(p) ? std::to_string(p.negative.size()) : "n/a");
      } else if (s == "not encoded") {
        by = p.not_encoded.front().reason;
      }
      out += fmt::format("| `{}` | {} | {} | {} | {} |\n", p.id, cell(Excerpt(p.text, 90)), s, cell(by), tests);
    }
  }
  if (!r.interpretations.empty()) {
    out += "\n## Interpretations\n\nWhat the policies decide where the text is silent (`interpretation \"...\"`), each with its reason.\n\n"
           "| Where | Declaration | Reason |\n|---|---|---|\n";
    for (const InterpretationMark& m : r.interpretations) {
      out += fmt::format("| `{}:{}` | {} `{}` | {} |\n", m.place.file, m.place.line, m.kind, m.name, cell(m.reason));
    }
  }
  if (!r.problems.empty()) {
    out += "\n## Problems\n\n";
    for (const std::string& p : r.problems) out += "- " + cell(p) + "\n";
  }
  return out;
}

}  // namespace proviso::coverage
