#include "compiler/parser/parser.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <string>

#include <fmt/format.h>

#include "ProvisoLexer.h"
#include "ProvisoParser.h"
#include "antlr4-runtime.h"
#include "compiler/support/calendar.h"
#include "compiler/support/utf8.h"

namespace proviso {
namespace {

using PP = proviso_antlr::ProvisoParser;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

// Number of code points in a UTF-8 string.
int CodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Span TokenSpan(int file, antlr4::Token* t) {
  if (!t) return {};
  Span s;
  s.file = file;
  s.line = static_cast<int>(t->getLine());
  s.col = static_cast<int>(t->getCharPositionInLine()) + 1;
  s.end_line = s.line;
  s.end_col = s.col + std::max(1, t->getType() == antlr4::Token::EOF ? 1 : CodePoints(t->getText()));
  return s;
}

// Readable name of a token type: `then`, `}`, a name, a date ...
std::string TokenName(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  switch (type) {
    case PP::ID: return "a name";
    case PP::INT: return "a number";
    case PP::DECIMAL: return "a decimal number";
    case PP::STRING: return "a text literal";
    case PP::DATE: return "a date";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') return "`" + lit.substr(1, lit.size() - 2) + "`";
  return vocab.getSymbolicName(type);
}

std::string Describe(antlr4::Token* t) {
  if (!t || t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 30) text = text.substr(0, 27) + "...";
  return "`" + text + "`";
}

// Token types that only continue an expression: listing them would drown the useful alternatives.
bool IsOperator(size_t type) {
  switch (type) {
    case PP::PLUS: case PP::MINUS: case PP::STAR: case PP::SLASH: case PP::LT: case PP::LE:
    case PP::GT: case PP::GE: case PP::EQ: case PP::NE: case PP::AND: case PP::OR: case PP::IN:
    case PP::IS: case PP::QQ: case PP::DOT: case PP::NOT: case PP::DOTDOT: case PP::UNION: case PP::INTERSECT:
    case PP::DIFF: case PP::WHERE:
      return true;
    default:
      return false;
  }
}

// Keywords that the grammar also accepts as names (softName / ident).
bool IsSoftKeyword(size_t type) {
  switch (type) {
    case PP::TITLE: case PP::DOCUMENT: case PP::SUBJECT: case PP::FIRST: case PP::DEFAULT: case PP::UNIQUE:
    case PP::PRIORITY: case PP::COLLECT: case PP::HIT: case PP::TO: case PP::OF: case PP::NO: case PP::ERROR:
    case PP::AFTER: case PP::DEADLINE: case PP::VIOLATED: case PP::FROM: case PP::UNTIL: case PP::EFFECTIVE:
    case PP::PRESENT: case PP::LIST: case PP::SET: case PP::CALENDAR:
    case PP::KEY: case PP::EACH: case PP::LAW: case PP::WORKING: case PP::EVERY: case PP::BEFORE: case PP::NOW:
    case PP::FOR: case PP::MISSING: case PP::EMPTY: case PP::FILTER: case PP::MAP: case PP::WHERE: case PP::UNION:
    case PP::INTERSECT: case PP::DIFF:
    case PP::ANY: case PP::ALL: case PP::COUNT: case PP::SUM: case PP::MIN: case PP::MAX:  // field names too
      return true;
    default:
      return false;
  }
}

// Tokens that can begin an expression.
bool StartsExpression(size_t type) {
  switch (type) {
    case PP::INT: case PP::DECIMAL: case PP::STRING: case PP::DATE: case PP::DATETIME: case PP::DURATION:
    case PP::TRUE: case PP::FALSE: case PP::NONE: case PP::AS_OF: case PP::NOW: case PP::ID: case PP::DATE_T:
    case PP::DATETIME_T: case PP::LPAREN: case PP::LBRACKET: case PP::LBRACE: case PP::MATCH: case PP::IF:
    case PP::NOT: case PP::MINUS: case PP::ANY: case PP::ALL: case PP::COUNT: case PP::SUM: case PP::MIN:
    case PP::MAX:
      return true;
    default:
      return IsSoftKeyword(type);
  }
}

// Turns ANTLR's syntax errors into Proviso diagnostics with messages a legal engineer can act on.
class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(int file, DiagnosticSink& diags) : file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t col, const std::string& msg, std::exception_ptr) override {
    ++count_;
    Span span;
    span.file = file_;
    span.line = static_cast<int>(line);
    span.col = static_cast<int>(col) + 1;
    span.end_line = span.line;
    span.end_col = span.col + 1;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser) {  // lexer: cannot happen with BAD_CHAR, kept for safety
      diags_.Error("E0001", span, "unexpected character").label = msg;
      return;
    }
    span = TokenSpan(file_, offending);
    if (offending && offending->getType() == PP::BAD_CHAR) {
      std::string ch = offending->getText();
      if (ch == "\"") {
        diags_.Error("E0002", span, "unterminated text literal").help =
            "close the text with `\"` on the same line";
      } else {
        diags_.Error("E0001", span, fmt::format("unexpected character `{}`", ch));
      }
      return;
    }
    if (offending && offending->getType() == PP::DATE && recognizer) {
      // falls through to the general message
    }
    std::string where = Where(parser->getContext());
    if (antlr4::Token* word = UnknownClauseWord(parser, offending)) {
      // `shall "..."` in an obligation: the word is where the mistake is (it began no clause).
      diags_.Error("E0003", TokenSpan(file_, word),
                   fmt::format("expected a clause (`subject`, `must`, `may`, `when`, `deadline`, `violated`, `done at`, "
                               "`cite`, ...) in {}, found `{}`",
                               where, word->getText()));
      return;
    }
    antlr4::misc::IntervalSet expected;
    try {
      expected = parser->getExpectedTokens();
    } catch (...) {
    }
    std::vector<std::string> names;
    bool has_non_operator = false;
    for (size_t t : expected.toList()) has_non_operator |= !IsOperator(t);
    // Where an expression may start, say so instead of listing every way to start one.
    bool expression = expected.contains(static_cast<size_t>(PP::INT)) && expected.contains(static_cast<size_t>(PP::ID)) &&
                      expected.contains(static_cast<size_t>(PP::LPAREN));
    bool name = expected.contains(static_cast<size_t>(PP::ID));
    if (expression) names.push_back("an expression");
    for (size_t t : expected.toList()) {
      if (has_non_operator && IsOperator(t) && expected.size() > 3) continue;
      if (expression && StartsExpression(t)) continue;
      if (name && IsSoftKeyword(t)) continue;  // words that may also be names: `a name` covers them
      names.push_back(TokenName(parser->getVocabulary(), t));
    }
    std::string exp;
    for (size_t i = 0; i < names.size() && i < 8; ++i) {
      if (i > 0) exp += i + 1 == names.size() ? " or " : ", ";
      exp += names[i];
    }
    if (names.size() > 8) exp += ", ...";
    std::string after = After(parser, offending);
    std::string message;
    if (expected.contains(static_cast<size_t>(PP::THEN)) && after == "the condition" && !where.empty()) {
      message = fmt::format("expected `then` after the condition of {}", where);
    } else if (!exp.empty()) {
      message = fmt::format("expected {}{}{}, found {}", exp,
                            after.empty() ? "" : " after " + after,
                            where.empty() ? "" : " in " + where, Describe(offending));
    } else {
      message = fmt::format("unexpected {}{}", Describe(offending),
                            where.empty() ? "" : " in " + where);
    }
    Diagnostic& d = diags_.Error("E0003", span, message);
    d.help = Help(parser, offending, name);
  }

  int count() const { return count_; }

 private:
  // "rule `x`", "table `t`" ... for the innermost declaration around the error.
  static std::string Where(antlr4::ParserRuleContext* ctx) {
    for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
      auto named = [](antlr4::Token* t, const char* what) {
        return t ? fmt::format("{} `{}`", what, t->getText()) : std::string(what);
      };
      if (auto* c = dynamic_cast<PP::RuleDeclContext*>(ctx)) return named(c->name, "rule");
      if (auto* c = dynamic_cast<PP::ObligationDeclContext*>(ctx)) return named(c->name, "obligation");
      if (auto* c = dynamic_cast<PP::TableDeclContext*>(ctx)) return named(c->name, "table");
      if (auto* c = dynamic_cast<PP::FunctionDeclContext*>(ctx)) return named(c->name, "function");
      if (auto* c = dynamic_cast<PP::LetDeclContext*>(ctx)) return named(c->name, "let");
      if (auto* c = dynamic_cast<PP::ParamDeclContext*>(ctx)) return named(c->name, "param");
      if (auto* c = dynamic_cast<PP::EnumDeclContext*>(ctx)) return named(c->name, "enum");
      if (auto* c = dynamic_cast<PP::RecordDeclContext*>(ctx)) return named(c->name, "record");
      if (auto* c = dynamic_cast<PP::OutputDeclContext*>(ctx)) return named(c->name, "output");
      if (auto* c = dynamic_cast<PP::TestDeclContext*>(ctx)) {
        return c->name ? fmt::format("test {}", c->name->getText()) : "a test";
      }
      if (dynamic_cast<PP::InputDeclContext*>(ctx)) return "the input schema";
      if (dynamic_cast<PP::HeaderContext*>(ctx)) return "the policy header";
    }
    return "";
  }

  // Help for two common slips: a word after a number that is not a unit of duration, and a
  // keyword where a name was expected.
  static std::string Help(antlr4::Parser* parser, antlr4::Token* offending, bool name_expected) {
    if (!offending) return "";
    std::string literal = std::string(parser->getVocabulary().getLiteralName(offending->getType()));
    bool keyword = literal.size() > 2 && literal[0] == '\'' && std::isalpha(static_cast<unsigned char>(literal[1]));
    if (name_expected && keyword) {
      return fmt::format("`{}` is a keyword, so it cannot be a name here: choose another (`{}_kind`, ...)",
                         offending->getText(), offending->getText());
    }
    if (offending->getText()[0] == '_') {  // `1__000`, `1_000_`: a digit separator out of place
      auto* stream = parser->getTokenStream();
      ssize_t before = static_cast<ssize_t>(offending->getTokenIndex()) - 1;
      antlr4::Token* t = before >= 0 ? stream->get(static_cast<size_t>(before)) : nullptr;
      if (t && (t->getType() == PP::INT || t->getType() == PP::DECIMAL) &&
          t->getStopIndex() + 1 == offending->getStartIndex()) {
        return "`_` groups digits only between two digits: `1_000_000`, `0.000_001`";
      }
    }
    if (offending->getType() == PP::ID) {
      auto* stream = parser->getTokenStream();
      for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; i >= 0; --i) {
        antlr4::Token* t = stream->get(static_cast<size_t>(i));
        if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
        const std::string word = offending->getText();
        if (t->getType() == PP::DATE && (word[0] == 'T' || word[0] == 't')) {
          return fmt::format("a date-time needs `Z` or an offset from UTC: `{}{}:00:00Z`", t->getText(), word);
        }
        static const std::set<std::string> kUnits = {"second", "seconds", "minute", "minutes", "hour", "hours",
                                                     "day", "days", "week", "weeks", "month", "months", "year",
                                                     "years"};
        if (kUnits.count(word) && t->getType() == PP::ID) {
          std::string unit = word.back() == 's' ? word.substr(0, word.size() - 1) : word;
          return fmt::format("a unit follows a number written out; multiply a number by a duration: `{} * 1 {}`",
                             t->getText(), unit);
        }
        if (t->getType() == PP::INT) {
          return fmt::format("`{}` is not a unit of duration: write seconds, minutes, hours, days, weeks, "
                             "months or years (`{} days`)",
                             offending->getText(), t->getText());
        }
        break;
      }
    }
    return "";
  }

  // In an obligation, a word that begins no clause (`retain`, `done`, `deleted` and `overdue` are
  // names that the parser reads as clause words): that word, else null.
  static antlr4::Token* UnknownClauseWord(antlr4::Parser* parser, antlr4::Token* offending) {
    if (!offending) return nullptr;
    auto* ctx = parser->getContext();
    if (!dynamic_cast<PP::ObligationItemContext*>(ctx) && !dynamic_cast<PP::ObligationDeclContext*>(ctx)) return nullptr;
    auto* stream = parser->getTokenStream();
    for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; i >= 0; --i) {
      antlr4::Token* t = stream->get(static_cast<size_t>(i));
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      if (t->getType() != PP::ID) return nullptr;
      static const std::set<std::string> kWords = {"retain", "done", "deleted", "overdue"};
      return kWords.count(t->getText()) ? nullptr : t;
    }
    return nullptr;
  }

  // What the tokens just before the error were: "the condition" after `when E`, etc.
  static std::string After(antlr4::Parser* parser, antlr4::Token* offending) {
    if (!offending) return "";
    auto* stream = parser->getTokenStream();
    for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; i >= 0; --i) {
      antlr4::Token* t = stream->get(static_cast<size_t>(i));
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      switch (t->getType()) {
        case PP::WHEN: return i + 1 == static_cast<ssize_t>(offending->getTokenIndex()) ? "" : "the condition";
        case PP::THEN: case PP::DEADLINE: case PP::VIOLATED: case PP::CITE: case PP::SUBJECT:
        case PP::MUST: case PP::MAY: case PP::EXPECT: case PP::GIVEN: case PP::LBRACE:
        case PP::RBRACE: case PP::ASSIGN: case PP::RULE: case PP::OBLIGATION: case PP::LET:
        case PP::PARAM: case PP::TABLE: case PP::FUNCTION: case PP::OUTPUT: case PP::TEST:
          return "";
        default: break;
      }
    }
    return "";
  }

  int file_;
  DiagnosticSink& diags_;
  int count_ = 0;
};

std::string Unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Builds the AST from the ANTLR parse tree. Only called on trees without syntax errors.
class Builder {
 public:
  Builder(int file, antlr4::CommonTokenStream& tokens, DiagnosticSink& diags)
      : file_(file), tokens_(tokens), diags_(diags) {}

  Span SpanOf(antlr4::ParserRuleContext* ctx) {
    Span s = TokenSpan(file_, ctx->getStart());
    Span e = TokenSpan(file_, ctx->getStop());
    return s.To(e);
  }
  Span SpanOf(antlr4::Token* t) { return TokenSpan(file_, t); }

  // `///` lines directly above a declaration.
  std::string DocOf(antlr4::ParserRuleContext* ctx) {
    std::string doc;
    auto hidden = tokens_.getHiddenTokensToLeft(ctx->getStart()->getTokenIndex(), 2);
    for (antlr4::Token* t : hidden) {
      std::string line = t->getText().substr(3);
      if (!line.empty() && line[0] == ' ') line = line.substr(1);
      if (!doc.empty()) doc += "\n";
      doc += line;
    }
    return doc;
  }

  int64_t DateTimeValue(antlr4::Token* t) {
    auto d = ParseDateTime(t->getText());
    if (!d) {
      diags_.Error("E0501", SpanOf(t), fmt::format("`{}` is not a valid date-time", t->getText()))
          .help = "date-times are written YYYY-MM-DDTHH:MM[:SS] with `Z` or an offset (`+08:00`), a real date and "
                  "time, in years 1 to 9999";
      return 0;
    }
    return *d;
  }

  int64_t DateValue(antlr4::Token* t) {
    auto d = ParseDate(t->getText());
    if (!d) {
      diags_.Error("E0501", SpanOf(t), fmt::format("`{}` is not a valid date", t->getText()))
          .help = "dates are written YYYY-MM-DD and must exist in the calendar";
      return 0;
    }
    return *d;
  }

  // program : header? importDecl* decl* EOF
  std::unique_ptr<ast::Module> Program(PP::ProgramContext* ctx) {
    auto m = std::make_unique<ast::Module>();
    m->file = file_;
    if (ctx->header()) m->header = Header(ctx->header());
    for (auto* i : ctx->importDecl()) {
      m->imports.push_back(ast::Import{Unquote(i->target->getText()), SpanOf(i)});
    }
    for (auto* d : ctx->decl()) Decl(d, *m);
    return m;
  }

  // header : POLICY name=ID headerItem*
  ast::Header Header(PP::HeaderContext* ctx) {
    ast::Header h;
    h.name = ctx->name->getText();
    h.span = SpanOf(ctx->name);
    bool titled = false, documented = false;
    for (auto* item : ctx->headerItem()) {
      if (auto* t = dynamic_cast<PP::HeaderTitleContext*>(item)) {
        if (titled) Duplicate(SpanOf(item), "title", "policy", h.name);
        titled = true;
        h.title = Unquote(t->STRING()->getText());
      }
      if (auto* d = dynamic_cast<PP::HeaderDocumentContext*>(item)) {
        if (documented) Duplicate(SpanOf(item), "document", "policy", h.name);
        documented = true;
        h.document = Unquote(d->STRING()->getText());
      }
      if (auto* e = dynamic_cast<PP::HeaderEffectiveContext*>(item)) {
        if (h.effective.present) Duplicate(SpanOf(item), "effective", "policy", h.name);
        h.effective = Effective(e->effective());
      }
    }
    return h;
  }

  // effective : EFFECTIVE FROM from=DATE (UNTIL until=DATE)?
  ast::Effective Effective(PP::EffectiveContext* ctx) {
    ast::Effective e;
    e.present = true;
    e.span = SpanOf(ctx);
    e.from = DateValue(ctx->from);
    if (ctx->until) {
      e.until = DateValue(ctx->until);
      if (e.until <= e.from) {
        diags_.Error("E0502", SpanOf(ctx), "`until` date is not after the `from` date")
            .help = "an effective period runs from its first day up to, not including, `until`";
      }
    }
    return e;
  }

  // citation : CITE article=STRING (OF document=STRING)?
  ast::Citation Citation(PP::CitationContext* ctx) {
    ast::Citation c;
    c.article = Unquote(ctx->article->getText());
    if (ctx->document) c.document = Unquote(ctx->document->getText());
    c.span = SpanOf(ctx);
    return c;
  }

  void Decl(PP::DeclContext* d, ast::Module& m) {
    if (auto* c = d->enumDecl()) {
      ast::EnumDecl e;
      e.name = c->name->getText();
      e.span = SpanOf(c->name);
      e.doc = DocOf(d);
      auto ids = c->ID();
      for (size_t i = 1; i < ids.size(); ++i) {
        e.variants.push_back(ids[i]->getText());
        e.variant_spans.push_back(SpanOf(ids[i]->getSymbol()));
      }
      m.enums.push_back(std::move(e));
    } else if (auto* c = d->recordDecl()) {
      ast::RecordDecl r;
      r.name = c->name->getText();
      r.span = SpanOf(c->name);
      r.doc = DocOf(d);
      for (auto* f : c->fieldDecl()) r.fields.push_back(Field(f));
      m.records.push_back(std::move(r));
    } else if (auto* c = d->inputDecl()) {
      ast::InputDecl in;
      in.span = SpanOf(c->getStart());
      for (auto* f : c->fieldDecl()) in.fields.push_back(Field(f));
      m.inputs.push_back(std::move(in));
    } else if (auto* c = d->paramDecl()) {
      ast::ParamDecl p;
      p.name = c->name->getText();
      p.span = SpanOf(c->name);
      p.doc = DocOf(d);
      p.type = Type(c->typeRef());
      p.value = Expression(c->expr());
      if (c->effective()) p.effective = Effective(c->effective());
      if (c->citation()) p.citation = Citation(c->citation());
      m.params.push_back(std::move(p));
    } else if (auto* c = d->letDecl()) {
      m.lets.push_back(Let(c, DocOf(d)));
    } else if (auto* c = d->functionDecl()) {
      ast::FunctionDecl f;
      f.name = c->name->getText();
      f.span = SpanOf(c->name);
      f.doc = DocOf(d);
      if (c->paramList()) f.params = Params(c->paramList());
      f.result = Type(c->typeRef());
      f.body = Expression(c->expr());
      m.functions.push_back(std::move(f));
    } else if (auto* c = d->tableDecl()) {
      m.tables.push_back(Table(c, DocOf(d)));
    } else if (auto* c = d->outputDecl()) {
      m.outputs.push_back(Output(c, DocOf(d)));
    } else if (auto* c = d->ruleDecl()) {
      m.rules.push_back(Rule(c, DocOf(d)));
    } else if (auto* c = d->obligationDecl()) {
      m.obligations.push_back(Obligation(c, DocOf(d)));
    } else if (auto* c = d->testDecl()) {
      m.tests.push_back(Test(c));
    } else if (auto* c = d->calendarDecl()) {
      m.calendars.push_back(Calendar(c, DocOf(d)));
    } else if (auto* c = d->scopeDecl()) {
      Scope(c, m);
    } else if (auto* c = d->lawDecl()) {
      if (m.law) Duplicate(SpanOf(c), "law as of", "policy", m.header ? m.header->name : "");
      m.law = Expression(c->expr());
      m.law_span = SpanOf(c);
    }
  }

  // scopeDecl : FOR EACH var=ID IN collection=expr scopeClause* { scopeItem* }
  void Scope(PP::ScopeDeclContext* c, ast::Module& m) {
    ast::ScopeDecl sc;
    sc.var = c->var->getText();
    sc.var_span = SpanOf(c->var);
    sc.span = SpanOf(c->getStart()).To(SpanOf(c->collection));
    sc.collection = Expression(c->collection);
    for (auto* clause : c->scopeClause()) {
      if (auto* k = dynamic_cast<PP::ScopeKeyContext*>(clause)) {
        if (sc.key) Duplicate(SpanOf(clause), "key", "for each", sc.var);
        sc.key = Expression(k->expr());
      } else if (auto* l = dynamic_cast<PP::ScopeLawContext*>(clause)) {
        if (sc.law) Duplicate(SpanOf(clause), "law as of", "for each", sc.var);
        sc.law = Expression(l->expr());
      }
    }
    int index = static_cast<int>(m.scopes.size());
    m.scopes.push_back(std::move(sc));
    for (auto* item : c->scopeItem()) {
      if (auto* l = item->letDecl()) {
        m.lets.push_back(Let(l, DocOf(item)));
        m.lets.back().scope = index;
      } else if (auto* o = item->outputDecl()) {
        m.outputs.push_back(Output(o, DocOf(item)));
        m.outputs.back().scope = index;
      } else if (auto* r = item->ruleDecl()) {
        m.rules.push_back(Rule(r, DocOf(item)));
        m.rules.back().scope = index;
      } else if (auto* o = item->obligationDecl()) {
        m.obligations.push_back(Obligation(o, DocOf(item)));
        m.obligations.back().scope = index;
      }
    }
  }

  ast::LetDecl Let(PP::LetDeclContext* c, std::string doc) {
    ast::LetDecl l;
    l.name = c->name->getText();
    l.span = SpanOf(c->name);
    l.doc = std::move(doc);
    if (c->typeRef()) l.type = Type(c->typeRef());
    l.value = Expression(c->expr());
    return l;
  }

  ast::OutputDecl Output(PP::OutputDeclContext* c, std::string doc) {
    ast::OutputDecl o;
    o.name = c->name->getText();
    o.span = SpanOf(c->name);
    o.doc = std::move(doc);
    o.type = Type(c->typeRef());
    if (c->word) {
      if (c->word->getText() == "required") {
        o.required = true;
      } else {
        diags_.Error("E0003", SpanOf(c->word), fmt::format("expected `required` or a new declaration after the type of "
                                                           "output `{}`, found `{}`", o.name, c->word->getText()));
      }
    }
    return o;
  }

  // `undetermined` after `expect NAME` or before `obligation`: a word the parser checks.
  bool Undetermined(antlr4::Token* word) {
    if (word->getText() == "undetermined") return true;
    diags_.Error("E0003", SpanOf(word), fmt::format("expected `undetermined` here, found `{}`", word->getText()));
    return false;
  }

  void MissingFacts(PP::MissingFactsContext* c, ast::TestExpect& x) {
    if (!c) return;
    x.missing.emplace();
    for (auto* p : c->fieldPath()) {
      std::vector<std::string> path{p->softName()->getText()};
      for (auto* id : p->ident()) path.push_back(id->getText());
      x.missing->push_back(std::move(path));
      x.missing_spans.push_back(SpanOf(p));
    }
  }

  // fieldDecl : name=ident COLON typeRef (ASSIGN dflt=expr)? COMMA?
  ast::FieldDecl Field(PP::FieldDeclContext* c) {
    ast::FieldDecl f;
    f.name = c->name->getText();
    f.span = SpanOf(c->name);
    f.type = Type(c->typeRef());
    for (auto* fc : c->fieldCheck()) {
      ast::FieldCheck check;
      check.span = SpanOf(fc);
      if (auto* r = dynamic_cast<PP::RangeCheckContext*>(fc)) {
        check.range = true;
        check.lo = Bound(r->lo);
        check.hi = Bound(r->hi);
      } else if (auto* k = dynamic_cast<PP::CompareCheckContext*>(fc)) {
        switch (k->op->getType()) {
          case PP::GE: check.op = ast::BinOp::kGe; break;
          case PP::GT: check.op = ast::BinOp::kGt; break;
          case PP::LE: check.op = ast::BinOp::kLe; break;
          case PP::LT: check.op = ast::BinOp::kLt; break;
          default: check.op = ast::BinOp::kNe; break;
        }
        check.lo = Bound(k->bound());
      }
      f.checks.push_back(std::move(check));
    }
    if (c->dflt) f.dflt = Expression(c->dflt);
    return f;
  }

  // bound : MINUS? primary
  ExprPtr Bound(PP::BoundContext* c) {
    ExprPtr v = Primary(c->primary());
    if (!c->MINUS()) return v;
    auto e = Make(ExprKind::kNeg, c);
    e->args.push_back(std::move(v));
    return e;
  }

  // paramList : typedName (COMMA typedName)*
  std::vector<ast::TypedName> Params(PP::ParamListContext* c) {
    std::vector<ast::TypedName> out;
    for (auto* t : c->typedName()) {
      out.push_back(ast::TypedName{t->name->getText(), SpanOf(t->name), Type(t->typeRef())});
    }
    return out;
  }

  // typeRef : prim | SET<typeRef> | LIST<typeRef> | ID | typeRef?
  std::unique_ptr<ast::TypeExpr> Type(PP::TypeRefContext* c) {
    using K = ast::TypeExpr::Kind;
    auto t = std::make_unique<ast::TypeExpr>();
    t->span = SpanOf(c);
    if (dynamic_cast<PP::PrimTypeContext*>(c)) {
      switch (c->getStart()->getType()) {
        case PP::BOOL_T: t->kind = K::kBool; break;
        case PP::INT_T: t->kind = K::kInt; break;
        case PP::DECIMAL_T: t->kind = K::kDecimal; break;
        case PP::TEXT_T: t->kind = K::kText; break;
        case PP::DATE_T: t->kind = K::kDate; break;
        case PP::DATETIME_T: t->kind = K::kDateTime; break;
        default: t->kind = K::kDuration; break;
      }
    } else if (auto* s = dynamic_cast<PP::SetTypeContext*>(c)) {
      t->kind = K::kSet;
      t->elem = Type(s->typeRef());
    } else if (auto* l = dynamic_cast<PP::ListTypeContext*>(c)) {
      t->kind = K::kList;
      t->elem = Type(l->typeRef());
    } else if (auto* n = dynamic_cast<PP::NamedTypeContext*>(c)) {
      t->kind = K::kNamed;
      t->name = n->ID()->getText();
    } else if (auto* o = dynamic_cast<PP::OptionalTypeContext*>(c)) {
      t->kind = K::kOptional;
      t->elem = Type(o->typeRef());
    }
    return t;
  }

  // tableDecl : TABLE name=ID ( paramList ) -> typeRef hitPolicy citation? { tableRow* }
  ast::TableDecl Table(PP::TableDeclContext* c, std::string doc) {
    ast::TableDecl t;
    t.name = c->name->getText();
    t.span = SpanOf(c->name);
    t.doc = std::move(doc);
    t.params = Params(c->paramList());
    t.result = Type(c->typeRef());
    auto* hp = c->hitPolicy();
    t.hit_span = SpanOf(hp);
    if (hp->UNIQUE()) t.hit = ast::HitPolicy::kUnique;
    else if (hp->ANY()) t.hit = ast::HitPolicy::kAny;
    else if (hp->FIRST()) t.hit = ast::HitPolicy::kFirst;
    else if (hp->PRIORITY()) t.hit = ast::HitPolicy::kPriority;
    else if (hp->order) {
      t.hit = hp->RULE() ? ast::HitPolicy::kRuleOrder : ast::HitPolicy::kOutputOrder;
      if (hp->order->getText() != "order") {
        diags_.Error("E0003", SpanOf(hp->order), fmt::format("expected `order` after `hit {}`, found `{}`",
                                                             hp->RULE() ? "rule" : "output", hp->order->getText()))
            .help = "the hit policies: unique, any, first, priority, collect [sum|min|max|count], rule order, output order";
      }
    } else {
      t.hit = ast::HitPolicy::kCollect;
      if (hp->aggregator) {
        switch (hp->aggregator->getType()) {
          case PP::SUM: t.aggregator = ast::Aggregator::kSum; break;
          case PP::MIN: t.aggregator = ast::Aggregator::kMin; break;
          case PP::MAX: t.aggregator = ast::Aggregator::kMax; break;
          default: t.aggregator = ast::Aggregator::kCount; break;
        }
      }
    }
    if (c->citation()) t.citation = Citation(c->citation());
    for (auto* r : c->tableRow()) {
      if (r->DEFAULT()) {
        if (t.default_result) {
          diags_.Error("E0301", SpanOf(r), fmt::format("table `{}` has two `default` rows", t.name));
        }
        t.default_result = Expression(r->expr());
        t.default_span = SpanOf(r);
        continue;
      }
      ast::TableRow row;
      row.span = SpanOf(r);
      for (auto* cell : r->cell()) row.cells.push_back(Cell(cell));
      row.result = Expression(r->expr());
      t.rows.push_back(std::move(row));
    }
    return t;
  }

  // cell : _ | op expr | expr .. expr | { expr, ... } | expr
  ast::Cell Cell(PP::CellContext* c) {
    ast::Cell cell;
    cell.span = SpanOf(c);
    if (dynamic_cast<PP::AnyCellContext*>(c)) {
      cell.kind = ast::Cell::Kind::kAny;
    } else if (auto* cc = dynamic_cast<PP::CompareCellContext*>(c)) {
      cell.kind = ast::Cell::Kind::kCompare;
      cell.op = CompareOp(cc->op->getType());
      cell.values.push_back(Expression(cc->expr()));
    } else if (auto* rc = dynamic_cast<PP::RangeCellContext*>(c)) {
      cell.kind = ast::Cell::Kind::kRange;
      cell.values.push_back(Expression(rc->lo));
      cell.values.push_back(Expression(rc->hi));
    } else if (auto* oc = dynamic_cast<PP::OneOfCellContext*>(c)) {
      cell.kind = ast::Cell::Kind::kOneOf;
      for (auto* e : oc->expr()) cell.values.push_back(Expression(e));
    } else if (auto* ec = dynamic_cast<PP::EqualCellContext*>(c)) {
      cell.kind = ast::Cell::Kind::kEqual;
      cell.values.push_back(Expression(ec->expr()));
    }
    return cell;
  }

  static ast::BinOp CompareOp(size_t type) {
    switch (type) {
      case PP::LT: return ast::BinOp::kLt;
      case PP::LE: return ast::BinOp::kLe;
      case PP::GT: return ast::BinOp::kGt;
      case PP::GE: return ast::BinOp::kGe;
      case PP::EQ: return ast::BinOp::kEq;
      default: return ast::BinOp::kNe;
    }
  }

  std::vector<ast::NameRef> ExceptionTo(PP::ExceptionToContext* c) {
    std::vector<ast::NameRef> out;
    if (!c) return out;
    for (auto* id : c->ID()) out.push_back(ast::NameRef{id->getText(), SpanOf(id->getSymbol())});
    return out;
  }

  std::optional<int64_t> Priority(PP::PriorityContext* c) {
    if (!c) return std::nullopt;
    return IntValue(c->INT()->getSymbol());
  }

  // The digits of a number, without the `_` that may group them.
  static std::string Digits(const std::string& text) {
    std::string out;
    for (char ch : text) if (ch != '_') out += ch;
    return out;
  }

  int64_t IntValue(antlr4::Token* t) { return IntValue(t, t->getText()); }
  int64_t IntValue(antlr4::Token* t, const std::string& text) {
    try {
      return std::stoll(Digits(text));
    } catch (...) {
      diags_.Error("E0503", SpanOf(t), fmt::format("number `{}` is too large", text));
      return 0;
    }
  }

  // calendarDecl : CALENDAR name=ID { calendarItem* }
  ast::CalendarDecl Calendar(PP::CalendarDeclContext* c, std::string doc) {
    ast::CalendarDecl cal;
    cal.name = c->name->getText();
    cal.span = SpanOf(c->name);
    cal.doc = std::move(doc);
    static const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    auto bad_key = [&](antlr4::Token* key, const char* expected) {
      diags_.Error("E0003", SpanOf(key), fmt::format("`{}` is not an item of a calendar here", key->getText()))
          .help = fmt::format("expected {}", expected);
    };
    for (auto* item : c->calendarItem()) {
      if (auto* w = dynamic_cast<PP::CalWordsContext*>(item)) {
        if (w->key->getText() != "weekend") {
          bad_key(w->key, "`weekend monday, ...` before a list of weekdays");
          continue;
        }
        if (cal.has_weekend) Duplicate(SpanOf(item), "weekend", "calendar", cal.name);
        cal.has_weekend = true;
        auto ids = w->ID();
        for (size_t i = 1; i < ids.size(); ++i) {
          std::string day = ids[i]->getText();
          auto at = std::find(std::begin(kWeekdays), std::end(kWeekdays), day);
          if (at == std::end(kWeekdays)) {
            diags_.Error("E0003", SpanOf(ids[i]->getSymbol()), fmt::format("`{}` is not a day of the week", day))
                .help = "write monday, tuesday, wednesday, thursday, friday, saturday or sunday";
            continue;
          }
          cal.weekend |= 1u << (1 + (at - std::begin(kWeekdays)));
        }
      } else if (auto* y = dynamic_cast<PP::CalYearsContext*>(item)) {
        if (y->key->getText() != "years") {
          bad_key(y->key, "`years FIRST..LAST`");
          continue;
        }
        if (cal.last_year >= cal.first_year) Duplicate(SpanOf(item), "years", "calendar", cal.name);
        cal.first_year = static_cast<int>(std::min<int64_t>(IntValue(y->INT(0)->getSymbol()), 100000));
        cal.last_year = static_cast<int>(std::min<int64_t>(IntValue(y->INT(1)->getSymbol()), 100000));
        cal.years_span = SpanOf(item);
      } else if (auto* so = dynamic_cast<PP::CalSourceContext*>(item)) {
        if (so->key->getText() != "source") {
          bad_key(so->key, "`source YEAR \"...\"`");
          continue;
        }
        cal.sources.push_back({static_cast<int>(std::min<int64_t>(IntValue(so->INT()->getSymbol()), 100000)),
                               Unquote(so->STRING()->getText())});
        cal.source_spans.push_back(SpanOf(item));
      } else if (auto* dd = dynamic_cast<PP::CalDaysContext*>(item)) {
        ast::CalendarDays days;
        days.working = dd->WORKING() != nullptr;
        if (!days.working && dd->key->getText() != "holiday") {
          bad_key(dd->key, "`holiday DATE[..DATE]` or `working DATE[..DATE]`");
          continue;
        }
        days.from = DateValue(dd->DATE(0)->getSymbol());
        days.until = dd->DATE().size() > 1 ? DateValue(dd->DATE(1)->getSymbol()) : days.from;
        if (dd->STRING()) days.label = Unquote(dd->STRING()->getText());
        days.span = SpanOf(item);
        cal.days.push_back(std::move(days));
      }
    }
    return cal;
  }

  // ruleDecl : RULE name=ID exceptionTo? priority? { ruleItem* }
  ast::RuleDecl Rule(PP::RuleDeclContext* c, std::string doc) {
    ast::RuleDecl r;
    r.name = c->name->getText();
    r.span = SpanOf(c->name);
    r.doc = std::move(doc);
    r.exception_to = ExceptionTo(c->exceptionTo());
    r.priority = Priority(c->priority());
    for (auto* item : c->ruleItem()) {
      if (auto* w = dynamic_cast<PP::RuleWhenContext*>(item)) {
        if (r.when) Duplicate(SpanOf(item), "when", "rule", r.name);
        r.when = Expression(w->expr());
      } else if (auto* t = dynamic_cast<PP::RuleThenContext*>(item)) {
        if (r.target) Duplicate(SpanOf(item), "then", "rule", r.name);
        r.target = ast::NameRef{t->target->getText(), SpanOf(t->target)};
        r.value = Expression(t->expr());
      } else if (auto* e = dynamic_cast<PP::RuleEffectiveContext*>(item)) {
        if (r.effective.present) Duplicate(SpanOf(item), "effective", "rule", r.name);
        r.effective = Effective(e->effective());
      } else if (auto* ci = dynamic_cast<PP::RuleCiteContext*>(item)) {
        r.citations.push_back(Citation(ci->citation()));
      }
    }
    if (!r.target) {
      diags_.Error("E0401", r.span, fmt::format("rule `{}` has no `then` clause", r.name)).help =
          "a rule sets one output: `then output_name = value`";
    }
    return r;
  }

  // A clause word that is not a keyword (`retain`, `done`, `deleted`, `overdue`): false, with a
  // syntax error, when `word` is another.
  bool Word(antlr4::Token* word, const char* expected, const char* form) {
    if (word->getText() == expected) return true;
    diags_.Error("E0003", SpanOf(word), fmt::format("`{}` does not begin a clause of an obligation", word->getText()))
        .help = fmt::format("did you mean {}?", form);
    return false;
  }

  void Duplicate(Span span, const char* clause, const char* what, const std::string& name) {
    diags_.Error("E0402", span, fmt::format("{} `{}` has more than one `{}` clause", what, name, clause));
  }

  // obligationDecl : OBLIGATION name=ID exceptionTo? priority? { obligationItem* }
  ast::ObligationDecl Obligation(PP::ObligationDeclContext* c, std::string doc) {
    ast::ObligationDecl o;
    o.name = c->name->getText();
    o.span = SpanOf(c->name);
    o.doc = std::move(doc);
    o.exception_to = ExceptionTo(c->exceptionTo());
    o.priority = Priority(c->priority());
    bool has_subject = false;
    for (auto* item : c->obligationItem()) {
      if (auto* s = dynamic_cast<PP::ObSubjectContext*>(item)) {
        if (has_subject) Duplicate(SpanOf(item), "subject", "obligation", o.name);
        has_subject = true;
        o.subject = Unquote(s->STRING()->getText());
      } else if (auto* a = dynamic_cast<PP::ObActionContext*>(item)) {
        if (o.modality) Duplicate(SpanOf(item), "must/may", "obligation", o.name);
        auto* mod = a->modality();
        o.modality = mod->MAY() ? ast::Modality::kMay
                     : mod->NOT() ? ast::Modality::kMustNot
                                  : ast::Modality::kMust;
        o.action = Unquote(a->STRING()->getText());
      } else if (auto* w = dynamic_cast<PP::ObWhenContext*>(item)) {
        if (o.when) Duplicate(SpanOf(item), "when", "obligation", o.name);
        o.when = Expression(w->expr());
      } else if (auto* d = dynamic_cast<PP::ObDeadlineContext*>(item)) {
        if (o.deadline || o.every) {
          Duplicate(SpanOf(item), "deadline", "obligation", o.name);
          continue;
        }
        o.deadline = Expression(d->expr(0));
        if (d->expr().size() > 1) o.deadline_after = Expression(d->expr(1));
      } else if (auto* r = dynamic_cast<PP::ObRecurringContext*>(item)) {
        if (o.deadline || o.every) {
          Duplicate(SpanOf(item), "deadline", "obligation", o.name);
          continue;
        }
        o.every = Expression(r->expr(0));
        o.every_from = Expression(r->expr(1));
      } else if (auto* nb = dynamic_cast<PP::ObNotBeforeContext*>(item)) {
        if (o.not_before) Duplicate(SpanOf(item), "not before", "obligation", o.name);
        o.not_before = Expression(nb->expr());
      } else if (auto* ru = dynamic_cast<PP::ObRetainUntilContext*>(item)) {
        if (!Word(ru->word, "retain", "`retain until DATE`")) continue;
        if (o.retain_until) Duplicate(SpanOf(item), "retain", "obligation", o.name);
        o.retain_until = Expression(ru->expr());
      } else if (auto* rf = dynamic_cast<PP::ObRetainForContext*>(item)) {
        if (!Word(rf->word, "retain", "`retain for PERIOD after DATE`")) continue;
        if (o.retain_until) Duplicate(SpanOf(item), "retain", "obligation", o.name);
        o.retain_until = Expression(rf->expr(0));
        o.retain_after = Expression(rf->expr(1));
      } else if (auto* at = dynamic_cast<PP::ObAtContext*>(item)) {
        std::string word = at->word->getText();
        if (at->at->getText() != "at") {
          Word(at->word, "", "`done at DATE` or `deleted at DATE`");
          continue;
        }
        if (word == "done") {
          if (o.done_at) Duplicate(SpanOf(item), "done at", "obligation", o.name);
          o.done_at = Expression(at->expr());
        } else if (Word(at->word, "deleted", "`done at DATE` or `deleted at DATE`")) {
          if (o.deleted_at) Duplicate(SpanOf(item), "deleted at", "obligation", o.name);
          o.deleted_at = Expression(at->expr());
        }
      } else if (auto* ov = dynamic_cast<PP::ObOverdueContext*>(item)) {
        if (!Word(ov->word, "overdue", "`overdue when CONDITION`")) continue;
        if (o.overdue) Duplicate(SpanOf(item), "overdue when", "obligation", o.name);
        o.overdue = Expression(ov->expr());
      } else if (auto* v = dynamic_cast<PP::ObViolatedContext*>(item)) {
        if (o.violated) Duplicate(SpanOf(item), "violated when", "obligation", o.name);
        o.violated = Expression(v->expr());
      } else if (auto* e = dynamic_cast<PP::ObEffectiveContext*>(item)) {
        if (o.effective.present) Duplicate(SpanOf(item), "effective", "obligation", o.name);
        o.effective = Effective(e->effective());
      } else if (auto* ci = dynamic_cast<PP::ObCiteContext*>(item)) {
        o.citations.push_back(Citation(ci->citation()));
      }
    }
    if (!o.modality) {
      diags_.Error("E0403", o.span, fmt::format("obligation `{}` has no modality", o.name)).help =
          "say what is required: `must \"...\"`, `must not \"...\"` or `may \"...\"`";
    }
    if (!has_subject) {
      diags_.Error("E0404", o.span, fmt::format("obligation `{}` has no subject", o.name)).help =
          "say who is bound: `subject \"call-center operator\"`";
    }
    return o;
  }

  // testDecl : TEST name=STRING { testItem* }
  ast::TestDecl Test(PP::TestDeclContext* c) {
    ast::TestDecl t;
    t.name = Unquote(c->name->getText());
    t.span = SpanOf(c->name);
    for (auto* item : c->testItem()) {
      if (auto* a = dynamic_cast<PP::TestAsOfContext*>(item)) {
        if (t.as_of) Duplicate(SpanOf(item), "as of", "test", t.name);
        t.as_of = a->DATE() ? DateValue(a->DATE()->getSymbol()) * kSecondsPerDay
                            : DateTimeValue(a->DATETIME()->getSymbol());
        t.as_of_span = SpanOf(item);
      } else if (auto* g = dynamic_cast<PP::TestGivenContext*>(item)) {
        ast::TestGiven given;
        auto* p = g->fieldPath();
        given.path.push_back(p->softName()->getText());
        for (auto* id : p->ident()) given.path.push_back(id->getText());
        given.span = SpanOf(p);
        given.value = Expression(g->expr());
        t.givens.push_back(std::move(given));
      } else if (auto* s = dynamic_cast<PP::TestSetContext*>(item)) {
        t.sets.push_back(ast::TestSet{s->name->getText(), SpanOf(s->name), Expression(s->expr())});
      } else if (auto* e = dynamic_cast<PP::TestExpectValueContext*>(item)) {
        ast::TestExpect x;
        x.kind = ast::TestExpect::Kind::kValue;
        x.name = e->name->getText();
        x.span = SpanOf(e->name);
        if (e->forItem()) x.item = Expression(e->forItem()->expr());
        x.value = Expression(e->expr());
        t.expects.push_back(std::move(x));
      } else if (auto* e = dynamic_cast<PP::TestExpectStateContext*>(item)) {
        ast::TestExpect x;
        x.kind = ast::TestExpect::Kind::kValue;
        x.name = e->name->getText();
        x.span = SpanOf(e->name);
        if (e->forItem()) x.item = Expression(e->forItem()->expr());
        x.undetermined = Undetermined(e->state);
        MissingFacts(e->missingFacts(), x);
        t.expects.push_back(std::move(x));
      } else if (auto* e = dynamic_cast<PP::TestExpectNoObligationContext*>(item)) {
        ast::TestExpect x;
        x.kind = ast::TestExpect::Kind::kNoObligation;
        x.name = e->name->getText();
        x.span = SpanOf(e->name);
        if (e->forItem()) x.item = Expression(e->forItem()->expr());
        t.expects.push_back(std::move(x));
      } else if (auto* e = dynamic_cast<PP::TestExpectObligationContext*>(item)) {
        ast::TestExpect x;
        x.kind = ast::TestExpect::Kind::kObligation;
        x.name = e->name->getText();
        x.span = SpanOf(e->name);
        if (e->forItem()) x.item = Expression(e->forItem()->expr());
        if (e->state) x.undetermined = Undetermined(e->state);
        MissingFacts(e->missingFacts(), x);
        for (auto* chk : e->obligationCheck()) {
          if (auto* v = dynamic_cast<PP::CheckViolatedContext*>(chk)) {
            // `violated undetermined`; a status word after `violated` is a check of its own.
            if (v->state && v->state->getText() == "undetermined" && !v->NOT()) {
              x.violation_undetermined = true;
            } else {
              x.violated = v->NOT() == nullptr;
              if (v->state) {
                x.status = v->state->getText();
                x.status_span = SpanOf(v->state);
              }
            }
          }
          if (auto* d = dynamic_cast<PP::CheckDeadlineContext*>(chk)) x.deadline = Expression(d->expr());
          if (auto* st = dynamic_cast<PP::CheckStatusContext*>(chk)) {
            x.status = st->status->getText();
            x.status_span = SpanOf(st->status);
          }
        }
        t.expects.push_back(std::move(x));
      } else if (auto* e = dynamic_cast<PP::TestExpectErrorContext*>(item)) {
        ast::TestExpect x;
        x.kind = ast::TestExpect::Kind::kError;
        x.span = SpanOf(item);
        if (e->STRING()) x.error_text = Unquote(e->STRING()->getText());
        t.expects.push_back(std::move(x));
      }
    }
    return t;
  }

  ExprPtr Make(ExprKind kind, antlr4::ParserRuleContext* ctx) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->span = SpanOf(ctx);
    return e;
  }

  ExprPtr Binary(ExprKind kind, antlr4::ParserRuleContext* ctx, PP::ExprContext* a,
                 PP::ExprContext* b) {
    auto e = Make(kind, ctx);
    e->args.push_back(Expression(a));
    e->args.push_back(Expression(b));
    return e;
  }

  // expr: see the grammar; one branch per labeled alternative.
  ExprPtr Expression(PP::ExprContext* c) {
    if (auto* p = dynamic_cast<PP::PrimaryExprContext*>(c)) return Primary(p->primary());
    if (auto* f = dynamic_cast<PP::FieldExprContext*>(c)) {
      auto e = Make(ExprKind::kField, c);
      e->args.push_back(Expression(f->expr()));
      e->name = f->ident()->getText();
      return e;
    }
    if (auto* p = dynamic_cast<PP::PresentExprContext*>(c)) {
      auto e = Make(ExprKind::kIsPresent, c);
      e->negated = p->NOT() != nullptr;
      e->args.push_back(Expression(p->expr()));
      return e;
    }
    if (auto* p = dynamic_cast<PP::EmptyExprContext*>(c)) {
      auto e = Make(ExprKind::kIsEmpty, c);
      e->negated = p->NOT() != nullptr;
      e->args.push_back(Expression(p->expr()));
      return e;
    }
    if (auto* i = dynamic_cast<PP::IntersectExprContext*>(c)) {
      auto e = Binary(ExprKind::kSetOp, c, i->expr(0), i->expr(1));
      e->set_op = ast::SetOp::kIntersect;
      return e;
    }
    if (auto* so = dynamic_cast<PP::SetOpExprContext*>(c)) {
      auto e = Binary(ExprKind::kSetOp, c, so->expr(0), so->expr(1));
      e->set_op = so->op->getType() == PP::UNION ? ast::SetOp::kUnion : ast::SetOp::kMinus;
      return e;
    }
    if (auto* n = dynamic_cast<PP::NegExprContext*>(c)) {
      auto e = Make(ExprKind::kNeg, c);
      e->args.push_back(Expression(n->expr()));
      return e;
    }
    if (auto* m = dynamic_cast<PP::MulExprContext*>(c)) {
      auto e = Binary(ExprKind::kBinary, c, m->expr(0), m->expr(1));
      e->op = m->op->getType() == PP::STAR ? ast::BinOp::kMul : ast::BinOp::kDiv;
      return e;
    }
    if (auto* w = dynamic_cast<PP::WorkingDaysExprContext*>(c)) {
      auto e = Binary(ExprKind::kWorkingDays, c, w->expr(0), w->expr(1));
      if (w->unit->getText() != "days" && w->unit->getText() != "day") {
        diags_.Error("E0003", SpanOf(w->unit), fmt::format("expected `days` after `working`, found `{}`", w->unit->getText()))
            .help = "write `N working days after DATE`";
      }
      if (w->cal) e->name = w->cal->getText();
      e->negated = w->dir->getType() == PP::BEFORE;
      return e;
    }
    if (auto* a = dynamic_cast<PP::AddExprContext*>(c)) {
      auto e = Binary(ExprKind::kBinary, c, a->expr(0), a->expr(1));
      e->op = a->op->getType() == PP::PLUS ? ast::BinOp::kAdd : ast::BinOp::kSub;
      return e;
    }
    if (auto* q = dynamic_cast<PP::CoalesceExprContext*>(c)) {
      return Binary(ExprKind::kCoalesce, c, q->expr(0), q->expr(1));
    }
    if (auto* cmp = dynamic_cast<PP::CompareExprContext*>(c)) {
      auto e = Binary(ExprKind::kBinary, c, cmp->expr(0), cmp->expr(1));
      e->op = CompareOp(cmp->op->getType());
      return e;
    }
    if (auto* in = dynamic_cast<PP::InExprContext*>(c)) {
      auto e = Binary(ExprKind::kIn, c, in->expr(0), in->expr(1));
      e->negated = in->NOT() != nullptr;
      return e;
    }
    if (auto* n = dynamic_cast<PP::NotExprContext*>(c)) {
      auto e = Make(ExprKind::kNot, c);
      e->args.push_back(Expression(n->expr()));
      return e;
    }
    if (auto* a = dynamic_cast<PP::AndExprContext*>(c)) return Binary(ExprKind::kAnd, c, a->expr(0), a->expr(1));
    if (auto* o = dynamic_cast<PP::OrExprContext*>(c)) return Binary(ExprKind::kOr, c, o->expr(0), o->expr(1));
    if (auto* i = dynamic_cast<PP::IfExprContext*>(c)) {
      auto e = Make(ExprKind::kIf, c);
      for (auto* x : i->expr()) e->args.push_back(Expression(x));
      return e;
    }
    if (auto* q = dynamic_cast<PP::QuantExprContext*>(c)) {
      auto e = Make(ExprKind::kQuant, c);
      switch (q->quant->getType()) {
        case PP::ANY: e->quant = ast::QuantKind::kAny; break;
        case PP::ALL: e->quant = ast::QuantKind::kAll; break;
        case PP::COUNT: e->quant = ast::QuantKind::kCount; break;
        case PP::SUM: e->quant = ast::QuantKind::kSum; break;
        case PP::MIN: e->quant = ast::QuantKind::kMin; break;
        case PP::MAX: e->quant = ast::QuantKind::kMax; break;
        case PP::FILTER: e->quant = ast::QuantKind::kFilter; break;
        default: e->quant = ast::QuantKind::kMap; break;
      }
      e->name = q->ID()->getText();
      e->args.push_back(Expression(q->expr(0)));
      // args: the collection, the body, then `where` only beside a body; `count`/`filter` with
      // only `where` take it as their body (the condition).
      bool condition = e->quant == ast::QuantKind::kCount || e->quant == ast::QuantKind::kFilter;
      if (q->body) {
        e->args.push_back(Expression(q->body));
        if (q->where) e->args.push_back(Expression(q->where));
      } else if (q->where && condition) {
        e->args.push_back(Expression(q->where));
      } else {
        const char* what = condition ? "`where CONDITION` or `: CONDITION`"
                                     : e->quant == ast::QuantKind::kAny || e->quant == ast::QuantKind::kAll
                                           ? "`: CONDITION`" : "`: VALUE`";
        diags_.Error("E0003", SpanOf(c), fmt::format("`{} {} in ...` needs {}", ast::QuantText(e->quant), e->name, what))
            .help = fmt::format("e.g. `{} {} in items{}`", ast::QuantText(e->quant), e->name,
                                condition ? " where " + e->name + ".late" : e->quant == ast::QuantKind::kAny ||
                                    e->quant == ast::QuantKind::kAll ? ": " + e->name + ".late" : ": " + e->name + ".amount");
        // A stand-in body of the usual type, so that the checker adds no second diagnostic.
        bool cond = condition || e->quant == ast::QuantKind::kAny || e->quant == ast::QuantKind::kAll;
        e->args.push_back(Make(cond ? ExprKind::kBool : ExprKind::kInt, c));
      }
      return e;
    }
    auto e = Make(ExprKind::kBool, c);  // unreachable with a complete grammar
    return e;
  }

  ExprPtr Primary(PP::PrimaryContext* c) {
    if (auto* o = dynamic_cast<PP::ItemOfExprContext*>(c)) {
      auto e = Make(ExprKind::kItemOf, c);
      e->name = o->name->getText();
      e->args.push_back(Primary(o->elem));
      return e;
    }
    if (auto* i = dynamic_cast<PP::IntLitContext*>(c)) {
      auto e = Make(ExprKind::kInt, c);
      e->int_value = IntValue(i->INT()->getSymbol());
      return e;
    }
    if (auto* d = dynamic_cast<PP::DecimalLitContext*>(c)) {
      auto e = Make(ExprKind::kDecimal, c);
      e->text = Digits(d->DECIMAL()->getText());
      return e;
    }
    if (auto* t = dynamic_cast<PP::TextLitContext*>(c)) {
      auto e = Make(ExprKind::kText, c);
      e->text = Unquote(t->STRING()->getText());
      return e;
    }
    if (auto* d = dynamic_cast<PP::DateLitContext*>(c)) {
      auto e = Make(ExprKind::kDate, c);
      e->int_value = DateValue(d->DATE()->getSymbol());
      return e;
    }
    if (auto* d = dynamic_cast<PP::DateTimeLitContext*>(c)) {
      auto e = Make(ExprKind::kDateTime, c);
      e->int_value = DateTimeValue(d->DATETIME()->getSymbol());
      return e;
    }
    if (auto* d = dynamic_cast<PP::DurationLitContext*>(c)) {
      // One token: digits, blanks, a unit.
      auto e = Make(ExprKind::kDuration, c);
      std::string text = d->DURATION()->getText();
      size_t blank = text.find_first_of(" \t");
      size_t unit_at = text.find_first_not_of(" \t", blank);
      e->int_value = IntValue(d->DURATION()->getSymbol(), text.substr(0, blank));
      std::string unit = text.substr(unit_at);
      if (unit.back() == 's') unit.pop_back();
      static const std::pair<const char*, ast::DurationUnit> kUnits[] = {
          {"second", ast::DurationUnit::kSecond}, {"minute", ast::DurationUnit::kMinute},
          {"hour", ast::DurationUnit::kHour},     {"day", ast::DurationUnit::kDay},
          {"week", ast::DurationUnit::kWeek},     {"month", ast::DurationUnit::kMonth},
          {"year", ast::DurationUnit::kYear}};
      for (const auto& [name, u] : kUnits) if (unit == name) e->unit = u;
      if (e->int_value > 1000000) {
        diags_.Error("E0504", e->span, fmt::format("duration `{}` is out of range", ast::ToSource(*e)))
            .help = "durations are limited to 1000000 units";
      }
      return e;
    }
    if (auto* b = dynamic_cast<PP::BoolLitContext*>(c)) {
      auto e = Make(ExprKind::kBool, c);
      e->int_value = b->TRUE() != nullptr;
      return e;
    }
    if (dynamic_cast<PP::NoneLitContext*>(c)) return Make(ExprKind::kNone, c);
    if (dynamic_cast<PP::AsOfLitContext*>(c)) return Make(ExprKind::kAsOf, c);
    if (dynamic_cast<PP::NowLitContext*>(c)) return Make(ExprKind::kNow, c);
    if (auto* call = dynamic_cast<PP::CallExprContext*>(c)) {
      auto e = Make(ExprKind::kCall, c);
      e->name = call->name->getText();
      for (auto* a : call->expr()) e->args.push_back(Expression(a));
      return e;
    }
    if (auto* call = dynamic_cast<PP::BuiltinCallExprContext*>(c)) {
      auto e = Make(ExprKind::kCall, c);
      e->name = call->getStart()->getText();
      for (auto* a : call->expr()) e->args.push_back(Expression(a));
      return e;
    }
    if (auto* n = dynamic_cast<PP::NameExprContext*>(c)) {
      auto e = Make(ExprKind::kName, c);
      e->name = n->softName()->getText();
      return e;
    }
    if (auto* l = dynamic_cast<PP::ListLitContext*>(c)) {
      auto e = Make(ExprKind::kList, c);
      for (auto* a : l->expr()) e->args.push_back(Expression(a));
      return e;
    }
    if (dynamic_cast<PP::EmptySetLitContext*>(c)) return Make(ExprKind::kSet, c);
    if (auto* s = dynamic_cast<PP::SetLitContext*>(c)) {
      auto e = Make(ExprKind::kSet, c);
      for (auto* a : s->expr()) e->args.push_back(Expression(a));
      return e;
    }
    if (auto* r = dynamic_cast<PP::RecordLitContext*>(c)) {
      auto e = Make(ExprKind::kRecord, c);
      for (auto* f : r->recordField()) {
        e->field_names.push_back(f->ident()->getText());
        e->field_spans.push_back(SpanOf(f->ident()));
        e->args.push_back(Expression(f->expr()));
      }
      return e;
    }
    if (auto* m = dynamic_cast<PP::MatchExprContext*>(c)) {
      auto e = Make(ExprKind::kMatch, c);
      e->args.push_back(Expression(m->expr()));
      for (auto* a : m->matchArm()) {
        ast::MatchArm arm;
        arm.span = SpanOf(a);
        for (auto* pattern : a->matchPattern()) {
          arm.patterns.push_back(pattern->getText());
          arm.pattern_spans.push_back(SpanOf(pattern));
        }
        arm.body = Expression(a->expr());
        e->arms.push_back(std::move(arm));
      }
      return e;
    }
    if (auto* p = dynamic_cast<PP::ParenExprContext*>(c)) return Expression(p->expr());
    return Make(ExprKind::kBool, c);
  }

 private:
  int file_;
  antlr4::CommonTokenStream& tokens_;
  DiagnosticSink& diags_;
};

// Every stage walks expressions recursively; a pathological file (thousands of nested brackets or a
// chain of thousands of operators) would exhaust the stack. Such input is rejected up front.
constexpr int kMaxNesting = 1000;
constexpr int kMaxOperatorsPerDeclaration = 3000;

bool WithinLimits(antlr4::CommonTokenStream& tokens, int file, DiagnosticSink& diags) {
  int depth = 0, operators = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    switch (t->getType()) {
      case PP::LPAREN: case PP::LBRACKET: case PP::LBRACE: ++depth; ++operators; break;
      case PP::RPAREN: case PP::RBRACKET: case PP::RBRACE: depth = std::max(0, depth - 1); break;
      case PP::RULE: case PP::OBLIGATION: case PP::LET: case PP::PARAM: case PP::TABLE: case PP::FUNCTION:
      case PP::OUTPUT: case PP::TEST: case PP::ENUM: case PP::RECORD: case PP::INPUT: case PP::CALENDAR:
      case PP::FOR: case PP::LAW:
        if (depth == 0) operators = 0;  // a new declaration
        break;
      default:
        if (IsOperator(t->getType()) || t->getType() == PP::IF || t->getType() == PP::MATCH) ++operators;
        break;
    }
    if (depth > kMaxNesting || operators > kMaxOperatorsPerDeclaration) {
      diags.Error("E0007", TokenSpan(file, t),
                  depth > kMaxNesting
                      ? fmt::format("brackets are nested more than {} deep", kMaxNesting)
                      : fmt::format("this declaration has more than {} operators", kMaxOperatorsPerDeclaration))
          .help = "split the expression into several `let` declarations";
      return false;
    }
  }
  return true;
}

}  // namespace

std::unique_ptr<ast::Module> Parse(const SourceManager& sm, int file, DiagnosticSink& diags) {
  const SourceFile& f = sm.file(file);
  try {
    antlr4::ANTLRInputStream input(f.text);
    proviso_antlr::ProvisoLexer lexer(&input);
    ErrorListener listener(file, diags);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (!WithinLimits(tokens, file, diags)) return nullptr;
    PP parser(&tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    PP::ProgramContext* tree = parser.program();
    if (listener.count() > 0) return nullptr;
    // Errors found while building (bad dates, huge numbers) leave a complete tree: the checker
    // still runs on it so that one run reports everything.
    Builder builder(file, tokens, diags);
    return builder.Program(tree);
  } catch (const std::exception& e) {
    // The ANTLR runtime throws on some malformed input (e.g. invalid UTF-8): point at the first
    // byte that is not UTF-8 (1:1 if there is none).
    Span span;
    span.file = file;
    span.line = span.end_line = 1;
    span.col = 1;
    size_t bad = FirstInvalidUtf8(f.text);
    if (bad < f.text.size()) {
      auto begin = f.text.begin(), at = begin + static_cast<std::ptrdiff_t>(bad);
      span.line = span.end_line = 1 + static_cast<int>(std::count(begin, at, '\n'));
      // Columns count code points: the bytes before `bad` on its line that start one.
      auto line_start = std::find(std::make_reverse_iterator(at), f.text.rend(), '\n').base();
      span.col = 1 + static_cast<int>(std::count_if(line_start, at, [](char ch) {
                   return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
                 }));
    }
    span.end_col = span.col + 1;
    diags.Error("E0004", span, "the file cannot be read as UTF-8 text").help =
        "save the policy as UTF-8";
    return nullptr;
  }
}

}  // namespace proviso
