#include "compiler/doc/html.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "compiler/support/utf8.h"

namespace proviso::doc {

namespace {

// The word lists of editors/pygments/proviso_lexer.py (tests/python/test_editors.py keeps that file
// equal to the grammar).
constexpr std::array kDeclarations = {"policy", "title", "document", "import", "law", "enum", "record", "input",
                                      "param", "let", "function", "table", "output", "rule", "obligation", "test",
                                      "calendar"};
constexpr std::array kKeywords = {"effective", "from", "until", "hit", "unique", "any", "first", "priority",
                                  "collect", "sum", "min", "max", "count", "all", "default", "when", "then",
                                  "else", "if", "exception", "to", "cite", "interpretation", "of", "subject",
                                  "must", "may", "deadline", "after", "violated", "as", "given", "set", "expect",
                                  "no", "error", "list", "working", "before", "every", "for", "each", "key",
                                  "missing", "where", "filter", "map", "union", "intersect", "minus", "empty",
                                  "match", "present"};
constexpr std::array kTypes = {"bool", "int", "decimal", "text", "date", "datetime", "duration"};
constexpr std::array kConstants = {"true", "false", "none", "as_of", "now"};
constexpr std::array kWordOperators = {"and", "or", "not", "in", "is"};
constexpr std::array kUnits = {"second", "minute", "hour", "day", "week", "month", "year"};

template <size_t N>
bool In(const std::array<const char*, N>& words, std::string_view w) {
  return std::any_of(words.begin(), words.end(), [&](const char* x) { return w == x; });
}

bool Digit(char c) { return c >= '0' && c <= '9'; }
bool IdStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdChar(char c) { return IdStart(c) || Digit(c); }

// The digits of an integer from `i` (`1_000` included); returns the end.
size_t Digits(std::string_view t, size_t i) {
  while (i < t.size() && (Digit(t[i]) || (t[i] == '_' && i + 1 < t.size() && Digit(t[i + 1])))) ++i;
  return i;
}

// Whether `t` at `i` holds `n` digits.
bool DigitsAt(std::string_view t, size_t i, size_t n) {
  if (i + n > t.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    if (!Digit(t[i + k])) return false;
  }
  return true;
}

// A date (YYYY-MM-DD) at `i`, with the end of a datetime after it when there is one; 0 when none.
size_t DateEnd(std::string_view t, size_t i) {
  if (!(DigitsAt(t, i, 4) && i + 4 < t.size() && t[i + 4] == '-' && DigitsAt(t, i + 5, 2) && i + 7 < t.size() &&
        t[i + 7] == '-' && DigitsAt(t, i + 8, 2))) {
    return 0;
  }
  size_t e = i + 10;
  // THH:MM[:SS[.f]] then Z or +HH:MM
  if (e < t.size() && (t[e] == 'T' || t[e] == 't') && DigitsAt(t, e + 1, 2) && e + 3 < t.size() && t[e + 3] == ':' &&
      DigitsAt(t, e + 4, 2)) {
    size_t k = e + 6;
    if (k < t.size() && t[k] == ':' && DigitsAt(t, k + 1, 2)) {
      k += 3;
      if (k < t.size() && t[k] == '.' && k + 1 < t.size() && Digit(t[k + 1])) {
        ++k;
        while (k < t.size() && Digit(t[k])) ++k;
      }
    }
    if (k < t.size() && (t[k] == 'Z' || t[k] == 'z')) return k + 1;
    if (k < t.size() && (t[k] == '+' || t[k] == '-') && DigitsAt(t, k + 1, 2) && k + 3 < t.size() && t[k + 3] == ':' &&
        DigitsAt(t, k + 4, 2)) {
      return k + 6;
    }
  }
  return e;
}

}  // namespace

std::string Escape(std::string_view text) {
  std::string valid = ValidUtf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string AnchorId(std::string_view name) {
  bool plain = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name) plain &= IdChar(c) || c == '-' || c == '.';
  if (plain) return std::string(name);
  std::string out = "x-";
  for (char c : name) {
    if (IdChar(c)) out += c;
    else out += fmt::format("-{:02x}", static_cast<unsigned char>(c));
  }
  return out;
}

std::vector<Token> Lex(std::string_view t) {
  std::vector<Token> out;
  size_t i = 0;
  auto add = [&](const char* cls, size_t end) {
    out.push_back(Token{cls, i, end});
    i = end;
  };
  while (i < t.size()) {
    char c = t[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (t.substr(i, 2) == "//") {
      size_t e = t.find('\n', i);
      if (e == std::string_view::npos) e = t.size();
      while (e > i && t[e - 1] == '\r') --e;
      add(t.substr(i, 3) == "///" ? "cs" : "c1", e);
      continue;
    }
    if (t.substr(i, 2) == "/*") {
      size_t e = t.find("*/", i + 2);
      add("cm", e == std::string_view::npos ? t.size() : e + 2);
      continue;
    }
    if (c == '"') {
      size_t e = i + 1;
      while (e < t.size() && t[e] != '"' && t[e] != '\n') e += t[e] == '\\' && e + 1 < t.size() && t[e + 1] != '\n' ? 2 : 1;
      add("s", e < t.size() && t[e] == '"' ? e + 1 : e);
      continue;
    }
    if (Digit(c)) {
      if (size_t e = DateEnd(t, i)) {
        add("mo", e);
        continue;
      }
      size_t e = Digits(t, i);
      if (e + 1 < t.size() && t[e] == '.' && Digit(t[e + 1])) {
        add("mf", Digits(t, e + 1));
        continue;
      }
      add("mi", e);
      continue;
    }
    if (IdStart(c)) {
      size_t e = i;
      while (e < t.size() && IdChar(t[e])) ++e;
      std::string_view w = t.substr(i, e - i);
      bool unit = false;
      if (!out.empty() && out.back().cls[0] == 'm' && out.back().cls[1] == 'i') {
        std::string_view u = w;
        if (u.size() > 1 && u.back() == 's') u.remove_suffix(1);
        unit = In(kUnits, u);
      }
      add(unit || In(kTypes, w)          ? "kt"
          : In(kDeclarations, w)         ? "kd"
          : In(kConstants, w)            ? "kc"
          : In(kWordOperators, w)        ? "ow"
          : In(kKeywords, w) || w == "_" ? (w == "_" ? "p" : "k")
                                         : "n",
          e);
      continue;
    }
    static constexpr std::array kTwo = {"=>", "->", "==", "!=", "<=", ">=", "??", ".."};
    std::string_view two = t.substr(i, 2);
    if (In(kTwo, two)) {
      add(two == ".." ? "p" : "o", i + 2);
      continue;
    }
    if (std::string_view("<>=+-*/?|").find(c) != std::string_view::npos) {
      add("o", i + 1);
      continue;
    }
    if (std::string_view("{}()[],:.").find(c) != std::string_view::npos) {
      add("p", i + 1);
      continue;
    }
    // Any other character (a code point: its continuation bytes go with it).
    size_t e = i + 1;
    while (e < t.size() && (static_cast<unsigned char>(t[e]) & 0xC0) == 0x80) ++e;
    add("err", e);
  }
  return out;
}

std::string Highlight(std::string_view text, const std::vector<Token>& tokens, size_t begin, size_t end,
                      const std::map<size_t, std::string>& links) {
  std::string out;
  size_t at = begin;
  auto first = std::lower_bound(tokens.begin(), tokens.end(), begin,
                                [](const Token& tok, size_t off) { return tok.begin < off; });
  for (auto it = first; it != tokens.end() && it->begin < end; ++it) {
    if (it->begin > at) out += Escape(text.substr(at, it->begin - at));
    size_t stop = std::min(it->end, end);
    std::string span = fmt::format("<span class=\"{}\">{}</span>", it->cls, Escape(text.substr(it->begin, stop - it->begin)));
    auto link = links.find(it->begin);
    if (link != links.end()) span = fmt::format("<a href=\"{}\">{}</a>", Escape(link->second), span);
    out += span;
    at = stop;
  }
  if (at < end) out += Escape(text.substr(at, end - at));
  return out;
}

}  // namespace proviso::doc
