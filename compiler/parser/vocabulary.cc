#include "compiler/parser/vocabulary.h"

#include <algorithm>

#include "ProvisoLexer.h"
#include "antlr4-runtime.h"

namespace proviso {

const std::vector<std::string>& Keywords() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> out;
    antlr4::ANTLRInputStream input("");
    proviso_antlr::ProvisoLexer lexer(&input);
    const antlr4::dfa::Vocabulary& v = lexer.getVocabulary();
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string lit = v.getLiteralName(t);  // `'policy'`, or "" for a token without a literal
      if (lit.size() < 3 || lit.front() != '\'' || lit.back() != '\'') continue;
      std::string word = lit.substr(1, lit.size() - 2);
      bool letters = std::all_of(word.begin(), word.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
      if (letters && word != "_") out.push_back(word);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return words;
}

}  // namespace proviso
