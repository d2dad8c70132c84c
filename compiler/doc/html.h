// HTML building blocks of `proviso doc` (compiler/doc/site.h): escaping, anchor ids, and Proviso
// source highlighted by token kind with the classes of the Pygments lexer (editors/pygments).
#ifndef PROVISO_COMPILER_DOC_HTML_H_
#define PROVISO_COMPILER_DOC_HTML_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace proviso::doc {

// `text` with & < > " ' escaped, safe in element content and in quoted attribute values. Bytes that
// are not valid UTF-8 become U+FFFD, so a page is always valid UTF-8.
std::string Escape(std::string_view text);

// A valid, stable HTML id for `name`: kept as it is when it is a letter followed by letters, digits,
// `-`, `_` or `.` (every identifier and paragraph id such as `p2.1`); otherwise `x-` and the name
// with each other byte as `-XX` (hex), so distinct names give distinct ids.
std::string AnchorId(std::string_view name);

// One lexical token of Proviso source (the lexer of grammar/Proviso.g4, as editors/pygments reads it).
struct Token {
  // The Pygments short class: "kd" (declaration keyword), "k", "kt" (type or duration unit), "kc"
  // (true, false, none, as_of, now), "ow" (and, or, not, in, is), "s", "mi", "mf", "mo" (date,
  // datetime), "n", "o", "p", "cs" (`///`), "c1" (`//`), "cm" (`/* */`), "err" (a bad character).
  const char* cls;
  size_t begin;  // byte offsets in the text, end exclusive
  size_t end;
  bool comment() const { return cls[0] == 'c'; }
};

// The tokens of `text`, whitespace left out, in order. Never fails: what the compiler would reject is
// still a token (an unterminated string runs to the end of its line).
std::vector<Token> Lex(std::string_view text);

// The bytes [begin, end) of `text` as highlighted HTML (spans with the tokens' classes; whitespace and
// text between tokens escaped as they are). A token starting at a byte offset in `links` is wrapped in
// `<a href="...">` (the value, already a relative URL, is escaped here).
std::string Highlight(std::string_view text, const std::vector<Token>& tokens, size_t begin, size_t end,
                      const std::map<size_t, std::string>& links = {});

}  // namespace proviso::doc

#endif  // PROVISO_COMPILER_DOC_HTML_H_
