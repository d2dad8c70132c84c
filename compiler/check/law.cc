// Citations of the law: `law "PATH"`, `cite "p3" [of "DOC"]`, `interpretation "..."` and
// `not encoded ... because "..."` (docs/language.md, "The law").
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/check/checker_impl.h"

namespace proviso::check_internal {

namespace {

// What one file cites: the laws it loaded, the first being the default document.
struct FileLaws {
  const CheckedProgram& p;
  DiagnosticSink& diags;
  std::vector<int> laws;  // indexes in p.laws, in the order of the file's `law` lines (-1: failed to load)
  bool backed = false;    // the file has `law` lines (even if one failed to load)
  bool failed = false;    // one of them failed to load (already reported)

  // The law document named `name` ("" for the default), or -1 after reporting why not.
  int Document(const std::string& name, Span span) {
    if (name.empty()) return laws.empty() ? -1 : laws.front();
    std::vector<std::string> names;
    for (int l : laws) {
      if (l < 0) continue;
      if (p.laws[l].name == name) return l;
      names.push_back(p.laws[l].name);
    }
    if (failed) return -1;
    Diagnostic& d = diags.Error("E0703", span, fmt::format("`{}` is not a law document of this file", name));
    std::string hint = SuggestName(name, names);
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? ", `" : "`") + names[i] + "`";
    d.help = !hint.empty() ? hint : fmt::format("its law documents: {} (the names in their `document` lines)", list);
    return -1;
  }

  // The paragraph `id` of law `l`, or -1 after reporting why not.
  int Paragraph(int l, const std::string& id, Span span) {
    const law::Document& doc = p.laws[l];
    for (size_t i = 0; i < doc.paragraphs.size(); ++i) {
      if (doc.paragraphs[i].id == id) return static_cast<int>(i);
    }
    Diagnostic& d = diags.Error("E0704", span, fmt::format("`{}` is not a paragraph of `{}`", id, doc.name));
    std::string hint = SuggestName(id, doc.Ids());
    std::string range = fmt::format("its paragraphs run from `{}` to `{}` ({})", doc.paragraphs.front().id,
                                    doc.paragraphs.back().id, doc.path);
    d.help = hint.empty() ? range : fmt::format("{} ({})", hint, range);
    return -1;
  }

  void Resolve(ast::Citation& c) {
    if (!backed) return;  // free text: a file without `law` names its document in words
    c.law = Document(c.document, c.span);
    if (c.law >= 0 && !p.laws[c.law].paragraphs.empty()) c.paragraph = Paragraph(c.law, c.article, c.span);
  }
};

}  // namespace

void Checker::CheckCitations() {
  struct Cite {
    int law, paragraph;
    std::string what;
    Span span;
  };
  std::vector<Cite> cited;  // every resolved citation, for the `not encoded` marks
  std::vector<ast::NotEncoded*> marks;
  for (auto& m : p_.modules) {
    FileLaws file{p_, diags_, {}, !m->laws.empty(), false};
    for (const ast::LawSource& src : m->laws) {
      file.failed |= src.law < 0;
      file.laws.push_back(src.law);
    }
    if (file.backed && m->header && !m->header->document.empty()) {
      diags_.Error("E0702", m->laws.front().span, "a file with `law` does not also name a `document`")
          .help = "the first `law` is the default document of every `cite` in the file: remove `document \"...\"`";
    }
    auto interpretation = [&](const ast::Interpretation& in) {
      if (in.present() && in.reason.find_first_not_of(" \t") == std::string::npos) {
        diags_.Error("E0705", in.span, "an interpretation without its reason")
            .help = "say how the text is read and why: `interpretation \"...\"`";
      }
    };
    // Resolves `cites` and, in a file with `law`, asks for a citation or an interpretation.
    auto decl = [&](const char* kind, const std::string& name, Span span, std::vector<ast::Citation*> cites,
                    const ast::Interpretation& in) {
      for (ast::Citation* c : cites) {
        file.Resolve(*c);
        if (c->paragraph >= 0) cited.push_back({c->law, c->paragraph, fmt::format("{} `{}`", kind, name), c->span});
      }
      interpretation(in);
      if (file.backed && cites.empty() && !in.present()) {
        diags_.Warning("W0107", span, fmt::format("{} `{}` neither cites the law nor is marked as an interpretation", kind, name))
            .help = "cite the paragraph it encodes (`cite \"p3\"`), or say how the text is read: `interpretation \"...\"`";
      }
    };
    for (ast::RuleDecl& r : m->rules) {
      std::vector<ast::Citation*> cs;
      for (ast::Citation& c : r.citations) cs.push_back(&c);
      decl("rule", r.name, r.span, cs, r.interpretation);
    }
    for (ast::ObligationDecl& o : m->obligations) {
      std::vector<ast::Citation*> cs;
      for (ast::Citation& c : o.citations) cs.push_back(&c);
      decl("obligation", o.name, o.span, cs, o.interpretation);
    }
    for (ast::ParamDecl& pd : m->params) {
      decl("param", pd.name, pd.span, pd.citation ? std::vector<ast::Citation*>{&*pd.citation} : std::vector<ast::Citation*>{},
           pd.interpretation);
    }
    for (ast::TableDecl& t : m->tables) {
      decl("table", t.name, t.span, t.citation ? std::vector<ast::Citation*>{&*t.citation} : std::vector<ast::Citation*>{},
           t.interpretation);
    }
    // A default presumes a fact the facts leave out: in a file with `law`, that is an interpretation.
    auto fields = [&](std::vector<ast::FieldDecl>& fs, const std::string& owner) {
      for (ast::FieldDecl& f : fs) {
        interpretation(f.interpretation);
        if (file.backed && f.dflt && !f.interpretation.present()) {
          diags_.Warning("W0107", f.span, fmt::format("the default of `{}.{}` presumes a fact the text does not give, "
                                                      "and is not marked as an interpretation", owner, f.name))
              .help = "say why the fact may be presumed: `= VALUE interpretation \"...\"`, or remove the default";
        }
      }
    };
    for (ast::RecordDecl& r : m->records) fields(r.fields, r.name);
    for (ast::EnumDecl& e : m->enums) interpretation(e.interpretation);
    for (ast::InputDecl& in : m->inputs) fields(in.fields, "input");
    for (ast::NotEncoded& n : m->not_encoded) {
      if (!file.backed) {
        diags_.Error("E0706", n.span, "`not encoded` marks paragraphs of a `law`, and this file has none")
            .help = "load the document first: `law \"law/document.law\"`";
        continue;
      }
      if (n.reason.find_first_not_of(" \t") == std::string::npos) {
        diags_.Error("E0705", n.span, "`not encoded` without its reason")
            .help = "say why the policy does not encode these paragraphs: `because \"...\"`";
      }
      n.law = file.Document(n.document, n.document.empty() ? n.span : n.document_span);
      if (n.law < 0) continue;
      for (size_t i = 0; i < n.ids.size(); ++i) {
        int para = file.Paragraph(n.law, n.ids[i], n.id_spans[i]);
        n.paragraphs.push_back(para);
        if (para >= 0 && p_.laws[n.law].paragraphs[para].informative) {
          diags_.Warning("W0108", n.id_spans[i], fmt::format("paragraph `{}` is informative: it needs no `not encoded` mark", n.ids[i]))
              .help = fmt::format("{} marks it informative: \"{}\"", p_.laws[n.law].path, p_.laws[n.law].paragraphs[para].reason);
        }
      }
      marks.push_back(&n);
    }
  }
  for (ast::NotEncoded* n : marks) {
    for (size_t i = 0; i < n->paragraphs.size(); ++i) {
      for (const Cite& c : cited) {
        if (c.law != n->law || c.paragraph != n->paragraphs[i]) continue;
        Diagnostic& d = diags_.Warning("W0109", n->id_spans[i],
                                       fmt::format("paragraph `{}` is marked not encoded, but {} cites it", n->ids[i], c.what));
        d.notes.push_back({c.span, "cited here"});
        d.help = "remove it from `not encoded`, or the citation";
        break;
      }
    }
  }
}

}  // namespace proviso::check_internal
