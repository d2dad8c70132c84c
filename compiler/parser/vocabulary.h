// The words of the language, taken from the generated lexer's vocabulary (grammar/Proviso.g4), so that
// tools (completion in the language server) never keep a list of their own.
#ifndef PROVISO_COMPILER_PARSER_VOCABULARY_H_
#define PROVISO_COMPILER_PARSER_VOCABULARY_H_

#include <string>
#include <vector>

namespace proviso {

// Every keyword (a literal token of letters and `_`: `policy`, `as_of`, `int` ...), sorted, once each.
// Thread-safe.
const std::vector<std::string>& Keywords();

}  // namespace proviso

#endif  // PROVISO_COMPILER_PARSER_VOCABULARY_H_
