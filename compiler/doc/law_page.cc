// The page of one law document: every paragraph with its anchor, its coverage status, and the
// declarations, `not encoded` marks and tests that account for it (the law coverage report's data).
#include <set>

#include <fmt/format.h>

#include "compiler/doc/model.h"

namespace proviso::doc {

namespace {

// `rule x (call_center)`, linked to its place on its policy page when the site has one.
std::string Link(const SiteModel& m, const std::string& what_html, const coverage::Place& place) {
  std::string href = TargetHref(m, place.file, place.line, place.column);
  std::string label = fmt::format("{} <span class=\"doc-name\">({}:{})</span>", what_html, Escape(place.file), place.line);
  return href.empty() ? label : fmt::format("<a href=\"{}\">{}</a>", Escape(href), label);
}

std::string StatusClass(const std::string& status) {
  return status == "not encoded" ? "status-not-encoded" : "status-" + status;
}

}  // namespace

std::string LawPage(const coverage::DocumentCoverage& d, const SiteModel& m) {
  std::string heading = fmt::format("<h1>{}</h1>\n<p class=\"subtitle\">law document <code>{}</code> &middot; <code>{}</code></p>",
                                    Escape(d.title.empty() ? d.name : d.title), Escape(d.name), Escape(d.path));
  std::string out = PageStart(d.name + " — proviso doc", heading);
  int counts[4] = {0, 0, 0, 0};
  for (const coverage::ParagraphCoverage& p : d.paragraphs) {
    std::string s = p.Status();
    ++counts[s == "encoded" ? 0 : s == "not encoded" ? 1 : s == "informative" ? 2 : 3];
  }
  out += fmt::format("<p>{} paragraphs: {} encoded, {} marked not encoded, {} informative, {} accounted for by nothing.</p>\n",
                     d.paragraphs.size(), counts[0], counts[1], counts[2], counts[3]);
  std::set<std::string> used;  // a law file with an id twice (an error the coverage report lists) keeps ids unique
  for (const coverage::ParagraphCoverage& p : d.paragraphs) {
    std::string id = AnchorId(p.id);
    for (int n = 2; !used.insert(id).second; ++n) id = fmt::format("{}-{}", AnchorId(p.id), n);
    std::string status = p.Status();
    out += fmt::format("<section class=\"paragraph\" id=\"{}\">\n<h3><a href=\"#{}\">{}</a> <span class=\"status {}\">{}</span></h3>\n",
                       id, id, Escape(p.id), StatusClass(status), Escape(status));
    out += fmt::format("<div class=\"law-text\">{}</div>\n", Escape(p.text));
    if (p.informative) {
      out += fmt::format("<p class=\"back-links\">informative{}</p>\n",
                         p.informative_reason.empty() ? "" : ": " + Escape(p.informative_reason));
    }
    if (!p.cited_by.empty()) {
      out += "<p class=\"back-links\">cited by</p>\n<ul class=\"back-links\">";
      for (const coverage::Citer& c : p.cited_by) {
        out += fmt::format("<li>{}</li>", Link(m, fmt::format("{} <code>{}</code>", Escape(c.kind), Escape(c.name)), c.place));
      }
      out += "</ul>\n";
    }
    if (!p.not_encoded.empty()) {
      out += "<p class=\"back-links\">marked not encoded</p>\n<ul class=\"back-links\">";
      for (const coverage::NotEncodedMark& n : p.not_encoded) {
        out += fmt::format("<li>{}: {}</li>", Link(m, "not encoded", n.place), Escape(n.reason));
      }
      out += "</ul>\n";
    }
    auto tests = [&](const std::vector<coverage::TestRef>& ts, const char* what) {
      if (ts.empty()) return;
      // Collapsed: a paragraph may be reached by dozens of tests.
      out += fmt::format("<details class=\"back-links\"><summary>{} {} test{}</summary>\n<ul class=\"back-links\">", ts.size(),
                         what, ts.size() == 1 ? "" : "s");
      for (const coverage::TestRef& t : ts) {
        out += fmt::format("<li>{}</li>", Link(m, fmt::format("test <q>{}</q>", Escape(t.name)), t.place));
      }
      out += "</ul>\n</details>\n";
    };
    tests(p.positive, "positive");
    tests(p.negative, "negative");
    out += "</section>\n";
  }
  return out + PageEnd();
}

}  // namespace proviso::doc
