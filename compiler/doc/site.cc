#include "compiler/doc/site.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "compiler/doc/model.h"
#include "compiler/support/large_stack.h"

namespace proviso::doc {

namespace fs = std::filesystem;

std::string PathKey(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : canonical.string();
}

size_t OffsetOf(const SourceFile& f, int line, int col) {
  if (line < 1) return 0;
  if (static_cast<size_t>(line) > f.line_starts.size()) return f.text.size();
  size_t at = f.line_starts[line - 1];
  for (int c = 1; c < col && at < f.text.size() && f.text[at] != '\n'; ++c) {
    ++at;
    while (at < f.text.size() && (static_cast<unsigned char>(f.text[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

std::string LawHref(const SiteModel& m, const std::string& law_path, const std::string& id) {
  auto it = m.law_pages.find(PathKey(law_path));
  if (it == m.law_pages.end()) return "";
  return id.empty() ? it->second : it->second + "#" + AnchorId(id);
}

std::string TargetHref(const SiteModel& m, const std::string& file, int line, int column) {
  auto it = m.targets.find({PathKey(file), line, column});
  return it == m.targets.end() ? "" : it->second;
}

namespace {

// "policy-call_center.html": a file name made of the name's letters, digits, `_` and `-`, unique in
// the site.
std::string PageName(const std::string& prefix, const std::string& name, std::set<std::string>& used) {
  std::string base = prefix;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    base += keep ? c : '_';
  }
  std::string page = base + ".html";
  for (int n = 2; !used.insert(page).second; ++n) page = fmt::format("{}-{}.html", base, n);
  return page;
}

// The policy files under `paths`, sorted within each folder; missing paths are errors.
std::vector<std::string> PolicyFiles(const std::vector<std::string>& paths, std::vector<std::string>& errors) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".proviso") found.push_back(e.path().string());
      }
      if (ec) errors.push_back(fmt::format("error: cannot list `{}`: {}", p, ec.message()));
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (!fs::exists(p, ec)) {
      errors.push_back(fmt::format("error: `{}`: no such file or folder", p));
    } else if (fs::path(p).extension() == ".proviso") {
      out.push_back(p);
    }
  }
  if (out.empty() && errors.empty()) errors.push_back("error: no policy (`.proviso` file) found under the paths given");
  return out;
}

// The first `n` code points of `text` (cut at a space when one is near), with "..." when cut.
std::string Shorten(const std::string& text, size_t n) {
  size_t chars = 0, at = 0;
  for (; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && chars++ == n) break;
  }
  if (at >= text.size()) return text;
  size_t space = text.rfind(' ', at);
  return text.substr(0, space != std::string::npos && space > at / 2 ? space : at) + " ...";
}

std::string IndexPageImpl(const SiteModel& m) {
  std::string out = PageStart("Policies and law — proviso doc", "<h1>Policies and law</h1>");
  out += "<h2 id=\"policies\">Policies</h2>\n<table class=\"index\">\n<thead><tr><th>policy</th><th>what it encodes</th>"
         "<th>law</th><th>rules</th><th>obligations</th><th>tables</th><th>tests</th></tr></thead>\n<tbody>\n";
  for (const PolicyDoc& p : m.policies) {
    const ast::Module& mod = p.main();
    std::string what = mod.header && !mod.header->title.empty() ? Escape(mod.header->title) : "";
    if (!p.checked().document().empty()) what += fmt::format(" <span class=\"doc-name\">({})</span>", Escape(p.checked().document()));
    if (!p.about.empty()) what += fmt::format("<p class=\"about\">{}</p>", Escape(Shorten(p.about, 200)));
    if (what.empty()) what = "<span class=\"none\">no title</span>";
    std::string laws;
    for (const law::Document& d : p.checked().laws) {
      std::string href = LawHref(m, d.path, "");
      laws += (laws.empty() ? "" : ", ") +
              (href.empty() ? Escape(d.name) : fmt::format("<a href=\"{}\">{}</a>", Escape(href), Escape(d.name)));
    }
    int passed = 0;
    for (const interp::TestResult& r : p.results) passed += r.passed;
    std::string tests = fmt::format("{}", mod.tests.size());
    if (passed != static_cast<int>(p.results.size())) {
      tests += fmt::format(" <span class=\"verdict fail\">({} fail)</span>", p.results.size() - passed);
    }
    out += fmt::format("<tr><td><a href=\"{}\">{}</a><br><code class=\"type\">{}</code></td><td>{}</td><td>{}</td>"
                       "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       Escape(p.page), Escape(p.checked().name()), Escape(p.file), what, laws, mod.rules.size(),
                       mod.obligations.size(), mod.tables.size(), tests);
  }
  out += "</tbody>\n</table>\n";
  out += "<h2 id=\"law\">Law documents</h2>\n<table class=\"index\">\n<thead><tr><th>document</th><th>title</th>"
         "<th>paragraphs</th><th>encoded</th><th>not encoded</th><th>informative</th><th>accounted for by nothing</th>"
         "</tr></thead>\n<tbody>\n";
  for (const coverage::DocumentCoverage& d : m.coverage.documents) {
    int n[4] = {0, 0, 0, 0};
    for (const coverage::ParagraphCoverage& p : d.paragraphs) {
      std::string s = p.Status();
      ++n[s == "encoded" ? 0 : s == "not encoded" ? 1 : s == "informative" ? 2 : 3];
    }
    std::string href = LawHref(m, d.path, "");
    out += fmt::format("<tr><td><a href=\"{}\">{}</a><br><code class=\"type\">{}</code></td><td>{}</td><td>{}</td>"
                       "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                       Escape(href), Escape(d.name), Escape(d.path), Escape(d.title), d.paragraphs.size(), n[0], n[1],
                       n[2], n[3]);
  }
  out += "</tbody>\n</table>\n";
  if (!m.coverage.problems.empty()) {
    out += "<h2 id=\"problems\">What <code>proviso coverage --law</code> reports</h2>\n<ul class=\"problems\">";
    for (const std::string& p : m.coverage.problems) out += fmt::format("<li><code>{}</code></li>", Escape(p));
    out += "</ul>\n";
  }
  return out + PageEnd();
}

}  // namespace

std::string IndexPage(const SiteModel& m) { return IndexPageImpl(m); }

Site Render(const std::vector<std::string>& paths, int64_t today) {
  Site site;
  SiteModel m;
  std::vector<std::string> files = PolicyFiles(paths, site.errors);
  if (!site.errors.empty()) return site;
  for (const std::string& file : files) {
    PolicyDoc p;
    p.file = file;
    p.fe = OnLargeStack([&] { return CompileFile(file); });
    if (!p.fe->ok()) {
      site.errors.push_back(RenderText(p.fe->diags.diagnostics(), p.fe->sources) +
                            fmt::format("error: `{}` does not compile", file));
      continue;
    }
    try {
      p.program = OnLargeStack([&] { return ir::Lower(std::move(p.fe->program)); });
    } catch (const ir::ConstantError& e) {
      site.errors.push_back(fmt::format("{}: error: {}\nerror: `{}` does not compile", FormatLocation(e.span(), p.fe->sources),
                                        e.what(), file));
      continue;
    }
    p.results = OnLargeStack([&] { return interp::RunTests(*p.program, today); });
    p.tokens = Lex(p.source().text);
    // What the policy is about, in its own words: the comment lines at the top of the file.
    for (const Token& t : p.tokens) {
      if (!t.comment()) break;
      std::string line = p.source().text.substr(t.begin, t.end - t.begin);
      line.erase(0, std::min(line.find_first_not_of("/*"), line.size()));
      if (!line.empty() && line[0] == ' ') line.erase(0, 1);
      if (!line.empty()) p.about += (p.about.empty() ? "" : " ") + line;
    }
    m.policies.push_back(std::move(p));
  }
  if (!site.errors.empty()) return site;  // never a partial site
  m.coverage = coverage::LawCoverage(paths, today);
  std::set<std::string> used = {"index.html", "style.css"};
  for (const coverage::DocumentCoverage& d : m.coverage.documents) {
    m.law_pages.emplace(PathKey(d.path), PageName("law-", d.name, used));
  }
  for (PolicyDoc& p : m.policies) p.page = PageName("policy-", p.checked().name(), used);
  for (PolicyDoc& p : m.policies) PlanPolicy(p, m);
  site.files["style.css"] = Stylesheet();
  site.files["index.html"] = IndexPage(m);
  for (const PolicyDoc& p : m.policies) site.files[p.page] = PolicyPage(p, m);
  for (const coverage::DocumentCoverage& d : m.coverage.documents) {
    site.files[m.law_pages.at(PathKey(d.path))] = LawPage(d, m);
  }
  return site;
}

std::string Write(const Site& site, const std::string& out) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return fmt::format("cannot create `{}`: {}", out, ec.message());
  for (const auto& [name, text] : site.files) {
    fs::path path = fs::path(out) / name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return fmt::format("cannot write `{}`", path.string());
  }
  return "";
}

}  // namespace proviso::doc
