// Syntax errors: ANTLR's errors turned into Proviso diagnostics, and the token helpers they use.

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/parser/parser_internal.h"

namespace proviso {
namespace parser_internal {
namespace {

// Number of code points in a UTF-8 string.
int CodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
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

}  // namespace

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

void ErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending,
                                size_t line, size_t col, const std::string& msg,
                                std::exception_ptr) {
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

// "rule `x`", "table `t`" ... for the innermost declaration around the error.
std::string ErrorListener::Where(antlr4::ParserRuleContext* ctx) {
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
std::string ErrorListener::Help(antlr4::Parser* parser, antlr4::Token* offending,
                                bool name_expected) {
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
antlr4::Token* ErrorListener::UnknownClauseWord(antlr4::Parser* parser, antlr4::Token* offending) {
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
std::string ErrorListener::After(antlr4::Parser* parser, antlr4::Token* offending) {
  if (!offending) return "";
  auto* stream = parser->getTokenStream();
  int seen = 0;  // tokens read so far (comments are on hidden channels: not counted)
  for (ssize_t i = static_cast<ssize_t>(offending->getTokenIndex()) - 1; i >= 0; --i) {
    antlr4::Token* t = stream->get(static_cast<size_t>(i));
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    switch (t->getType()) {
      case PP::WHEN: return seen == 0 ? "" : "the condition";
      case PP::THEN: case PP::DEADLINE: case PP::VIOLATED: case PP::CITE: case PP::SUBJECT:
      case PP::MUST: case PP::MAY: case PP::EXPECT: case PP::GIVEN: case PP::LBRACE:
      case PP::RBRACE: case PP::ASSIGN: case PP::RULE: case PP::OBLIGATION: case PP::LET:
      case PP::PARAM: case PP::TABLE: case PP::FUNCTION: case PP::OUTPUT: case PP::TEST:
        return "";
      default: break;
    }
    ++seen;
  }
  return "";
}

}  // namespace parser_internal
}  // namespace proviso
