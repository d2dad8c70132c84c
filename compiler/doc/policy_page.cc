// The page of one policy: its declarations in source order, highlighted, beside the law they cite.
#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "compiler/doc/model.h"

namespace proviso::doc {

namespace {

using Kind = Decl::Kind;

const char* KindWord(Kind k) {
  switch (k) {
    case Kind::kHeader: return "policy";
    case Kind::kLawAsOf: return "law as of";
    case Kind::kNotEncoded: return "not encoded";
    case Kind::kEnum: return "enum";
    case Kind::kRecord: return "record";
    case Kind::kInput: return "input";
    case Kind::kParam: return "param";
    case Kind::kLet: return "let";
    case Kind::kFunction: return "function";
    case Kind::kTable: return "table";
    case Kind::kOutput: return "output";
    case Kind::kRule: return "rule";
    case Kind::kObligation: return "obligation";
    case Kind::kTest: return "test";
    case Kind::kCalendar: return "calendar";
    case Kind::kScope: return "for each";
  }
  return "";
}

// Whether the declaration's span is its name, after its keyword (else it starts at the keyword).
bool NamedAfterKeyword(Kind k) {
  return k != Kind::kLawAsOf && k != Kind::kNotEncoded && k != Kind::kInput && k != Kind::kScope;
}

// "call-center business" -> "call-center-business": the readable part of a test's anchor.
std::string Slug(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (keep) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unnamed" : out;
}

size_t TokenAt(const std::vector<Token>& tokens, size_t offset) {
  auto it = std::lower_bound(tokens.begin(), tokens.end(), offset,
                             [](const Token& t, size_t off) { return t.begin < off; });
  return static_cast<size_t>(it - tokens.begin());
}

}  // namespace

void PlanPolicy(PolicyDoc& p, SiteModel& m) {
  const ast::Module& mod = p.main();
  const SourceFile& f = p.source();
  std::vector<Decl>& ds = p.decls;
  auto add = [&](Kind k, int i, Span s, std::string anchor) {
    Decl d;
    d.kind = k;
    d.index = i;
    d.span = s;
    d.anchor = std::move(anchor);
    ds.push_back(std::move(d));
  };
  auto each = [&](const auto& v, Kind k, const char* prefix) {
    for (size_t i = 0; i < v.size(); ++i) add(k, static_cast<int>(i), v[i].span, std::string(prefix) + v[i].name);
  };
  if (mod.header) add(Kind::kHeader, 0, mod.header->span, "policy");
  if (mod.law) add(Kind::kLawAsOf, 0, mod.law_span, "law-as-of");
  for (size_t i = 0; i < mod.not_encoded.size(); ++i) {
    add(Kind::kNotEncoded, static_cast<int>(i), mod.not_encoded[i].span,
        fmt::format("not-encoded-{}", mod.not_encoded[i].span.line));
  }
  each(mod.enums, Kind::kEnum, "enum-");
  each(mod.records, Kind::kRecord, "record-");
  for (size_t i = 0; i < mod.inputs.size(); ++i) add(Kind::kInput, static_cast<int>(i), mod.inputs[i].span, "input");
  each(mod.params, Kind::kParam, "param-");
  each(mod.lets, Kind::kLet, "let-");
  each(mod.functions, Kind::kFunction, "function-");
  each(mod.tables, Kind::kTable, "table-");
  each(mod.outputs, Kind::kOutput, "output-");
  each(mod.rules, Kind::kRule, "rule-");
  each(mod.obligations, Kind::kObligation, "obligation-");
  for (size_t i = 0; i < mod.tests.size(); ++i) {
    add(Kind::kTest, static_cast<int>(i), mod.tests[i].span, "test-" + Slug(mod.tests[i].name));
  }
  each(mod.calendars, Kind::kCalendar, "calendar-");
  for (size_t i = 0; i < mod.scopes.size(); ++i) {
    add(Kind::kScope, static_cast<int>(i), mod.scopes[i].span, "for-each-" + mod.scopes[i].var);
  }
  std::stable_sort(ds.begin(), ds.end(), [](const Decl& a, const Decl& b) {
    return std::tie(a.span.line, a.span.col) < std::tie(b.span.line, b.span.col);
  });
  // Anchors: unique on the page (a param's versions share a name), and none is an id of the page's own.
  std::set<std::string> used = {"top", "cited"};
  for (Decl& d : ds) {
    d.anchor = AnchorId(d.anchor);
    std::string base = d.anchor;
    for (int n = 2; !used.insert(d.anchor).second; ++n) d.anchor = fmt::format("{}-{}", base, n);
  }
  // Extents: from the keyword to the last token before the next declaration, or before the `}` that
  // closes the `for each` a declaration is in.
  const std::vector<Token>& toks = p.tokens;
  std::vector<size_t> starts;
  for (Decl& d : ds) {
    size_t t = TokenAt(toks, OffsetOf(f, d.span.line, d.span.col));
    if (NamedAfterKeyword(d.kind)) {
      size_t k = t;
      while (k > 0 && toks[k - 1].comment()) --k;
      if (k > 0) t = k - 1;
    }
    starts.push_back(t);
    d.begin = t < toks.size() ? toks[t].begin : f.text.size();
    // Its `///` lines: the doc comments between the previous token and the keyword.
    std::vector<std::string> lines;
    for (size_t k = t; k > 0 && toks[k - 1].comment(); --k) {
      const Token& c = toks[k - 1];
      if (std::string(c.cls) != "cs") continue;
      std::string line = f.text.substr(c.begin + 3, c.end - c.begin - 3);
      if (!line.empty() && line[0] == ' ') line.erase(0, 1);
      lines.push_back(line);
    }
    std::reverse(lines.begin(), lines.end());
    // Lines wrapped in the source are joined; an empty `///` line starts a new paragraph.
    for (const std::string& l : lines) {
      if (l.empty()) d.doc += "\n\n";
      else d.doc += (d.doc.empty() || d.doc.back() == '\n' ? "" : " ") + l;
    }
  }
  for (size_t i = 0; i < ds.size(); ++i) {
    size_t next = i + 1 < ds.size() ? ds[i + 1].begin : f.text.size();
    int depth = 0;
    ds[i].end = ds[i].begin;
    for (size_t k = starts[i]; k < toks.size() && toks[k].begin < next; ++k) {
      if (toks[k].comment()) continue;
      char c = f.text[toks[k].begin];
      bool punct = toks[k].cls[0] == 'p';
      if (punct && (c == '{' || c == '(' || c == '[')) ++depth;
      if (punct && (c == '}' || c == ')' || c == ']') && depth-- == 0) break;
      ds[i].end = toks[k].end;
    }
  }
  // Where the coverage report's places land: each declaration's span, and each `not encoded` id.
  std::string key = PathKey(f.path);
  for (const Decl& d : ds) {
    m.targets[{key, d.span.line, d.span.col}] = p.page + "#" + d.anchor;
    if (d.kind == Kind::kNotEncoded) {
      for (const Span& s : mod.not_encoded[d.index].id_spans) m.targets[{key, s.line, s.col}] = p.page + "#" + d.anchor;
    }
  }
}

namespace {

// The rendering of one policy page.
class PolicyRenderer {
 public:
  PolicyRenderer(const PolicyDoc& p, const SiteModel& m) : p_(p), m_(m), f_(p.source()), mod_(p.main()) {}

  std::string Render() {
    for (const Decl& d : p_.decls) labels_[d.anchor] = std::string(KindWord(d.kind)) + " " + Name(d);
    CollectLinks();
    std::sort(cited_.begin(), cited_.end());  // the law's order
    const CheckedProgram& c = p_.checked();
    std::string heading = fmt::format("<h1>{}</h1>", Escape(c.name()));
    if (mod_.header && !mod_.header->title.empty()) heading += fmt::format("<p class=\"subtitle\">{}</p>", Escape(mod_.header->title));
    std::string out = PageStart(c.name() + " — proviso doc", heading);
    out += "<div class=\"policy-layout\">\n<div class=\"decls\">\n";
    out += Summary();
    for (const Decl& d : p_.decls) out += Declaration(d);
    out += "</div>\n";
    out += CitedLaw();
    out += "</div>\n";
    return out + PageEnd();
  }

 private:
  // Links inside the source: each citation's article and each `not encoded` id to the law page,
  // each `exception to` name to the declaration on this page.
  void CollectLinks() {
    const CheckedProgram& c = p_.checked();
    auto cite = [&](const ast::Citation& ci, const std::string& anchor) {
      if (ci.law < 0 || ci.paragraph < 0) return;
      const law::Document& doc = c.laws[ci.law];
      std::string href = LawHref(m_, doc.path, doc.paragraphs[ci.paragraph].id);
      size_t t = TokenAt(p_.tokens, OffsetOf(f_, ci.span.line, ci.span.col));
      while (t < p_.tokens.size() && std::string(p_.tokens[t].cls) != "s") ++t;
      if (t < p_.tokens.size() && !href.empty()) links_[p_.tokens[t].begin] = href;
      std::pair<int, int> para{ci.law, ci.paragraph};
      if (std::find(cited_.begin(), cited_.end(), para) == cited_.end()) cited_.push_back(para);
      citers_[para].push_back(anchor);
    };
    // `law "PATH"` to the document's page, `import "PATH"` to the imported policy's page (relative to
    // the policy's folder, as the driver resolves them).
    auto string_at = [&](const Span& s, const std::string& href) {
      size_t t = TokenAt(p_.tokens, OffsetOf(f_, s.line, s.col));
      while (t < p_.tokens.size() && std::string(p_.tokens[t].cls) != "s") ++t;
      if (t < p_.tokens.size() && !href.empty()) links_[p_.tokens[t].begin] = href;
    };
    for (const ast::LawSource& l : mod_.laws) {
      if (l.law >= 0) string_at(l.span, LawHref(m_, c.laws[l.law].path, ""));
    }
    std::filesystem::path dir = std::filesystem::path(f_.path).parent_path();
    for (const ast::Import& imp : mod_.imports) {
      std::string key = PathKey((dir / imp.path).string());
      for (const PolicyDoc& other : m_.policies) {
        if (PathKey(other.file) == key) string_at(imp.span, other.page);
      }
    }
    for (const Decl& d : p_.decls) {
      switch (d.kind) {
        case Kind::kRule:
          for (const ast::Citation& ci : mod_.rules[d.index].citations) cite(ci, d.anchor);
          Exceptions(mod_.rules[d.index].exception_to, Kind::kRule);
          break;
        case Kind::kObligation:
          for (const ast::Citation& ci : mod_.obligations[d.index].citations) cite(ci, d.anchor);
          Exceptions(mod_.obligations[d.index].exception_to, Kind::kObligation);
          break;
        case Kind::kParam:
          if (mod_.params[d.index].citation) cite(*mod_.params[d.index].citation, d.anchor);
          break;
        case Kind::kTable:
          if (mod_.tables[d.index].citation) cite(*mod_.tables[d.index].citation, d.anchor);
          break;
        case Kind::kNotEncoded: {
          const ast::NotEncoded& n = mod_.not_encoded[d.index];
          if (n.law < 0) break;
          for (size_t i = 0; i < n.ids.size() && i < n.paragraphs.size(); ++i) {
            std::string href = LawHref(m_, c.laws[n.law].path, n.ids[i]);
            if (!href.empty()) links_[OffsetOf(f_, n.id_spans[i].line, n.id_spans[i].col)] = href;
          }
          break;
        }
        default: break;
      }
    }
  }

  void Exceptions(const std::vector<ast::NameRef>& names, Kind kind) {
    for (const ast::NameRef& n : names) {
      for (const Decl& d : p_.decls) {
        bool same = d.kind == kind && (kind == Kind::kRule ? mod_.rules[d.index].name : mod_.obligations[d.index].name) == n.name;
        if (same) links_[OffsetOf(f_, n.span.line, n.span.col)] = "#" + d.anchor;
      }
    }
  }

  std::string Summary() {
    const CheckedProgram& c = p_.checked();
    int passed = 0;
    for (const interp::TestResult& r : p_.results) passed += r.passed;
    std::string laws;
    for (const law::Document& d : c.laws) {
      std::string href = LawHref(m_, d.path, "");
      std::string name = Escape(d.title.empty() ? d.name : d.title);
      laws += fmt::format("<li>{}</li>", href.empty() ? name : fmt::format("<a href=\"{}\">{}</a>", Escape(href), name));
    }
    std::string out = "<section class=\"summary\">\n<dl>\n";
    out += fmt::format("<dt>file</dt><dd><code>{}</code></dd>\n", Escape(p_.file));
    if (!p_.about.empty()) out += fmt::format("<dt>about</dt><dd>{}</dd>\n", Escape(p_.about));
    if (!c.document().empty()) out += fmt::format("<dt>document</dt><dd>{}</dd>\n", Escape(c.document()));
    if (!laws.empty()) out += fmt::format("<dt>law</dt><dd><ul>{}</ul></dd>\n", laws);
    out += fmt::format("<dt>declares</dt><dd>{} rules, {} obligations, {} tables, {} tests ({} pass now)</dd>\n",
                       mod_.rules.size(), mod_.obligations.size(), mod_.tables.size(), mod_.tests.size(), passed);
    out += "</dl>\n<nav class=\"toc\"><h2>Contents</h2><ul>";
    for (const Decl& d : p_.decls) {
      out += fmt::format("<li><a href=\"#{}\">{} <code>{}</code></a></li>", d.anchor, KindWord(d.kind), Escape(Name(d)));
    }
    return out + "</ul></nav>\n</section>\n";
  }

  std::string Name(const Decl& d) const {
    switch (d.kind) {
      case Kind::kHeader: return mod_.header->name;
      case Kind::kLawAsOf: return "";
      case Kind::kNotEncoded: {
        std::string ids;
        for (const std::string& id : mod_.not_encoded[d.index].ids) ids += (ids.empty() ? "" : ", ") + id;
        return ids;
      }
      case Kind::kEnum: return mod_.enums[d.index].name;
      case Kind::kRecord: return mod_.records[d.index].name;
      case Kind::kInput: return "";
      case Kind::kParam: return mod_.params[d.index].name;
      case Kind::kLet: return mod_.lets[d.index].name;
      case Kind::kFunction: return mod_.functions[d.index].name;
      case Kind::kTable: return mod_.tables[d.index].name;
      case Kind::kOutput: return mod_.outputs[d.index].name;
      case Kind::kRule: return mod_.rules[d.index].name;
      case Kind::kObligation: return mod_.obligations[d.index].name;
      case Kind::kTest: return mod_.tests[d.index].name;
      case Kind::kCalendar: return mod_.calendars[d.index].name;
      case Kind::kScope: return mod_.scopes[d.index].var;
    }
    return "";
  }

  std::string Source(size_t begin, size_t end) const { return Highlight(f_.text, p_.tokens, begin, end, links_); }
  std::string SourceOf(const Span& s) const {
    return Source(OffsetOf(f_, s.line, s.col), OffsetOf(f_, s.end_line, s.end_col));
  }
  std::string Pre(size_t begin, size_t end) const {
    return fmt::format("<pre class=\"source\">{}</pre>\n", Source(begin, end));
  }

  std::string Interpretation(const ast::Interpretation& in, const std::string& what = "") const {
    if (!in.present()) return "";
    return fmt::format("<p class=\"interpretation\"><b>Interpretation{}</b> {}</p>\n", what, Escape(in.reason));
  }

  std::string FieldInterpretations(const std::vector<ast::FieldDecl>& fields) const {
    std::string out;
    for (const ast::FieldDecl& fd : fields) {
      out += Interpretation(fd.interpretation, fmt::format(" (the default of <code>{}</code>)", Escape(fd.name)));
    }
    return out;
  }

  std::string Declaration(const Decl& d) {
    std::string cls = KindWord(d.kind);
    std::replace(cls.begin(), cls.end(), ' ', '-');
    int scope = d.kind == Kind::kLet          ? mod_.lets[d.index].scope
                : d.kind == Kind::kOutput     ? mod_.outputs[d.index].scope
                : d.kind == Kind::kRule       ? mod_.rules[d.index].scope
                : d.kind == Kind::kObligation ? mod_.obligations[d.index].scope
                                              : -1;
    if (scope >= 0) cls += " in-scope";  // decided for each element of a `for each`, shown indented under it
    std::string out = fmt::format("<section class=\"decl decl-{}\" id=\"{}\">\n", cls, d.anchor);
    out += fmt::format("<h3><span class=\"kind\">{}</span> <code>{}</code> <a class=\"self\" href=\"#{}\" title=\"link to this\">#</a></h3>\n",
                       KindWord(d.kind), Escape(Name(d)), d.anchor);
    if (!d.doc.empty()) out += fmt::format("<blockquote class=\"doc\">{}</blockquote>\n", Escape(d.doc));
    switch (d.kind) {
      case Kind::kTable: out += Table(d); break;
      case Kind::kTest: out += Example(d); break;
      case Kind::kNotEncoded: out += NotEncoded(d) + Pre(d.begin, d.end); break;
      default: out += Pre(d.begin, d.end);
    }
    switch (d.kind) {
      case Kind::kEnum: out += Interpretation(mod_.enums[d.index].interpretation); break;
      case Kind::kRecord: out += FieldInterpretations(mod_.records[d.index].fields); break;
      case Kind::kInput: out += FieldInterpretations(mod_.inputs[d.index].fields); break;
      case Kind::kParam: out += Interpretation(mod_.params[d.index].interpretation); break;
      case Kind::kTable: out += Interpretation(mod_.tables[d.index].interpretation); break;
      case Kind::kRule: out += Interpretation(mod_.rules[d.index].interpretation); break;
      case Kind::kObligation: out += Interpretation(mod_.obligations[d.index].interpretation); break;
      default: break;
    }
    return out + "</section>\n";
  }

  std::string NotEncoded(const Decl& d) const {
    const ast::NotEncoded& n = mod_.not_encoded[d.index];
    std::string ids;
    for (size_t i = 0; i < n.ids.size(); ++i) {
      std::string href;
      if (n.law >= 0) href = LawHref(m_, p_.checked().laws[n.law].path, n.ids[i]);
      std::string id = Escape(n.ids[i]);
      ids += (i ? ", " : "") + (href.empty() ? id : fmt::format("<a href=\"{}\">{}</a>", Escape(href), id));
    }
    return fmt::format("<p class=\"not-encoded\"><b>Not encoded</b> {} <b>because</b> {}</p>\n", ids, Escape(n.reason));
  }

  std::string Table(const Decl& d) const {
    const ast::TableDecl& t = mod_.tables[d.index];
    const CheckedProgram& c = p_.checked();
    // The header (name, parameters, hit policy, citation) as source, then the rows as a table.
    size_t brace = d.end;
    for (size_t k = TokenAt(p_.tokens, d.begin); k < p_.tokens.size() && p_.tokens[k].begin < d.end; ++k) {
      if (p_.tokens[k].cls[0] == 'p' && f_.text[p_.tokens[k].begin] == '{') {
        brace = p_.tokens[k].begin;
        break;
      }
    }
    size_t header_end = d.begin;
    for (size_t k = TokenAt(p_.tokens, d.begin); k < p_.tokens.size() && p_.tokens[k].begin < brace; ++k) {
      header_end = p_.tokens[k].end;
    }
    std::string out = Pre(d.begin, header_end);
    static const char* kAggregator[] = {"", " sum", " min", " max", " count"};
    out += "<table class=\"decision\">\n";
    out += fmt::format("<caption>hit policy: <b>{}{}</b>, {} row{}</caption>\n<thead><tr>", ast::HitPolicyText(t.hit),
                       kAggregator[static_cast<int>(t.aggregator)], t.rows.size(), t.rows.size() == 1 ? "" : "s");
    out += "<th class=\"row-number\">#</th>";
    for (const ast::TypedName& tn : t.params) {
      out += fmt::format("<th>{}<br><span class=\"type\">{}</span></th>", Escape(tn.name), Escape(ast::ToSource(*tn.type)));
    }
    out += fmt::format("<th class=\"result\">result<br><span class=\"type\">{}</span></th></tr></thead>\n<tbody>\n",
                       Escape(ast::ToSource(*t.result)));
    for (size_t r = 0; r < t.rows.size(); ++r) {
      const ast::TableRow& row = t.rows[r];
      out += fmt::format("<tr><td class=\"row-number\">{}</td>", r + 1);
      for (const ast::Cell& cell : row.cells) out += fmt::format("<td><code>{}</code></td>", SourceOf(cell.span));
      out += fmt::format("<td class=\"result\"><code>{}</code></td></tr>\n", row.result ? SourceOf(row.result->span) : "");
    }
    if (t.default_result) {
      out += fmt::format("<tr class=\"default\"><td class=\"row-number\"></td><td colspan=\"{}\">otherwise (default)</td>"
                         "<td class=\"result\"><code>{}</code></td></tr>\n",
                         std::max<size_t>(t.params.size(), 1), SourceOf(t.default_result->span));
    }
    (void)c;
    return out + "</tbody>\n</table>\n";
  }

  // A test as a worked example: given these facts (and date, and params) -> these outputs and
  // obligations, and whether it passes now.
  std::string Example(const Decl& d) const {
    const ast::TestDecl& t = mod_.tests[d.index];
    // The items: from each `given`, `set`, `expect` or `as` at the top of the body to the next.
    struct Item {
      std::string keyword;
      size_t begin, end;  // after the keyword
    };
    std::vector<Item> items;
    int depth = 0;
    for (size_t k = TokenAt(p_.tokens, d.begin); k < p_.tokens.size() && p_.tokens[k].begin < d.end; ++k) {
      const Token& tok = p_.tokens[k];
      if (tok.comment()) continue;
      std::string text = f_.text.substr(tok.begin, tok.end - tok.begin);
      if (tok.cls[0] == 'p' && (text == "}" || text == ")" || text == "]")) --depth;
      if (depth == 1 && (text == "given" || text == "set" || text == "expect" || text == "as")) {
        items.push_back(Item{text, std::string::npos, std::string::npos});
      } else if (!items.empty() && depth >= 1) {
        Item& it = items.back();
        if (it.begin == std::string::npos && it.keyword == "as" && text == "of") continue;  // `as of DATE`: the date
        if (it.begin == std::string::npos) it.begin = tok.begin;
        it.end = tok.end;
      }
      if (tok.cls[0] == 'p' && (text == "{" || text == "(" || text == "[")) ++depth;
    }
    auto list = [&](const char* keyword) {
      std::string out;
      for (const Item& it : items) {
        if (it.keyword == keyword && it.begin != std::string::npos) out += fmt::format("<li><code>{}</code></li>", Source(it.begin, it.end));
      }
      return out;
    };
    std::string out = "<div class=\"example\">\n<div class=\"given\">\n<h4>Given</h4>\n";
    for (const Item& it : items) {
      if (it.keyword == "as" && it.begin != std::string::npos) {
        out += fmt::format("<p class=\"as-of\">as of <code>{}</code></p>\n", Source(it.begin, it.end));
      }
    }
    std::string given = list("given"), set = list("set"), expect = list("expect");
    out += given.empty() ? "<p class=\"none\">no facts</p>\n" : "<ul class=\"facts\">" + given + "</ul>\n";
    if (!set.empty()) out += "<h4>With the params</h4>\n<ul class=\"params\">" + set + "</ul>\n";
    out += "</div>\n<div class=\"arrow\" aria-hidden=\"true\">&#x21D2;</div>\n<div class=\"expect\">\n<h4>Expect</h4>\n";
    out += expect.empty() ? "<p class=\"none\">nothing</p>\n" : "<ul class=\"outcomes\">" + expect + "</ul>\n";
    out += "</div>\n</div>\n";
    const interp::TestResult* result = nullptr;
    for (const interp::TestResult& r : p_.results) {
      if (r.span.file == t.span.file && r.span.line == t.span.line && r.span.col == t.span.col) result = &r;
    }
    if (!result) {
      out += "<p class=\"verdict unknown\">not run</p>\n";
    } else if (result->passed) {
      out += "<p class=\"verdict pass\">&#x2713; passes now</p>\n";
    } else {
      out += "<div class=\"verdict fail\"><p>&#x2717; fails now:</p><ul>";
      for (const std::string& why : result->failures) out += fmt::format("<li>{}</li>", Escape(why));
      out += "</ul></div>\n";
    }
    return out + fmt::format("<details><summary>source</summary>{}</details>\n", Pre(d.begin, d.end));
  }

  // The side panel: the text of every paragraph the policy cites, in the law's order, with the
  // declarations citing it.
  std::string CitedLaw() const {
    const CheckedProgram& c = p_.checked();
    std::string out = "<aside class=\"cited\" id=\"cited\">\n<h2>The law cited</h2>\n";
    if (cited_.empty()) out += "<p class=\"none\">This policy cites no paragraph of a law file.</p>\n";
    for (const auto& [law, para] : cited_) {
      const law::Document& doc = c.laws[law];
      const law::Paragraph& pg = doc.paragraphs[para];
      std::string href = LawHref(m_, doc.path, pg.id);
      std::string title = fmt::format("{} <span class=\"doc-name\">{}</span>", Escape(pg.id), Escape(doc.title.empty() ? doc.name : doc.title));
      out += "<div class=\"law-paragraph\">\n";
      out += fmt::format("<h3>{}</h3>\n", href.empty() ? title : fmt::format("<a href=\"{}\">{}</a>", Escape(href), title));
      out += fmt::format("<div class=\"law-text\">{}</div>\n<p class=\"cited-by\">cited by ", Escape(pg.text));
      const std::vector<std::string>& by = citers_.at({law, para});
      for (size_t i = 0; i < by.size(); ++i) {
        if (i && by[i] == by[i - 1]) continue;
        out += fmt::format("{}<a href=\"#{}\">{}</a>", i ? ", " : "", by[i], Escape(labels_.at(by[i])));
      }
      out += "</p>\n</div>\n";
    }
    return out + "</aside>\n";
  }

  const PolicyDoc& p_;
  const SiteModel& m_;
  const SourceFile& f_;
  const ast::Module& mod_;
  std::map<size_t, std::string> links_;
  std::vector<std::pair<int, int>> cited_;  // (law, paragraph) cited
  std::map<std::string, std::string> labels_;  // anchor -> "rule charge"
  std::map<std::pair<int, int>, std::vector<std::string>> citers_;  // the anchors citing each
};

}  // namespace

std::string PolicyPage(const PolicyDoc& p, const SiteModel& m) { return PolicyRenderer(p, m).Render(); }

}  // namespace proviso::doc
