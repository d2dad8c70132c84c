// compiler/doc/html.h: escaping, anchor ids and highlighting of `proviso doc`.
#include "compiler/doc/html.h"

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace proviso::doc {
namespace {

TEST(DocHtml, EscapesMarkupAndKeepsUtf8) {
  EXPECT_EQ(Escape("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  EXPECT_EQ(Escape("收费规则"), "收费规则");
  EXPECT_EQ(Escape(std::string("x\xff") + "y"), "x\xEF\xBF\xBDy");  // invalid UTF-8 becomes U+FFFD
}

TEST(DocHtml, AnchorIdsAreValidAndDistinct) {
  EXPECT_EQ(AnchorId("p2.1"), "p2.1");
  EXPECT_EQ(AnchorId("rule-keep_records"), "rule-keep_records");
  EXPECT_EQ(AnchorId("第二条"), "x--e7-ac-ac-e4-ba-8c-e6-9d-a1");
  EXPECT_EQ(AnchorId("2a"), "x-2a");  // an id starts with a letter
  EXPECT_NE(AnchorId("a b"), AnchorId("a_b"));
  EXPECT_EQ(AnchorId(""), "x-");
}

std::vector<std::string> Classes(const std::string& text) {
  std::vector<std::string> out;
  for (const Token& t : Lex(text)) out.push_back(std::string(t.cls) + ":" + text.substr(t.begin, t.end - t.begin));
  return out;
}

TEST(DocHtml, LexesLikeThePygmentsLexer) {
  EXPECT_EQ(Classes("rule r { when x < 30 days and d >= 2020-01-02 then y = \"a\\\"b\" } // c"),
            (std::vector<std::string>{"kd:rule", "n:r", "p:{", "k:when", "n:x", "o:<", "mi:30", "kt:days", "ow:and",
                                      "n:d", "o:>=", "mo:2020-01-02", "k:then", "n:y", "o:=", "s:\"a\\\"b\"", "p:}",
                                      "c1:// c"}));
  EXPECT_EQ(Classes("/// law\nparam p: decimal = 1.5 cite \"p3\""),
            (std::vector<std::string>{"cs:/// law", "kd:param", "n:p", "p::", "kt:decimal", "o:=", "mf:1.5", "k:cite",
                                      "s:\"p3\""}));
  EXPECT_EQ(Classes("as_of 2024-03-07T16:00:01Z none §"),
            (std::vector<std::string>{"kc:as_of", "mo:2024-03-07T16:00:01Z", "kc:none", "err:§"}));
  EXPECT_EQ(Classes("\"unterminated\nx"), (std::vector<std::string>{"s:\"unterminated", "n:x"}));
}

TEST(DocHtml, HighlightsEscapesAndLinks) {
  std::string text = "x < \"<b>\" cite \"p1\"";
  std::vector<Token> tokens = Lex(text);
  std::string html = Highlight(text, tokens, 0, text.size(), {{text.find("\"p1\""), "law-a.html#p1"}});
  EXPECT_EQ(html,
            "<span class=\"n\">x</span> <span class=\"o\">&lt;</span> <span class=\"s\">&quot;&lt;b&gt;&quot;</span> "
            "<span class=\"k\">cite</span> <a href=\"law-a.html#p1\"><span class=\"s\">&quot;p1&quot;</span></a>");
  // A part of the text: only the tokens in it.
  EXPECT_EQ(Highlight(text, tokens, 2, 3), "<span class=\"o\">&lt;</span>");
}

// The word lists of html.cc against the grammar: every keyword token (`WHEN : 'when' ;`) is highlighted
// as a keyword, a type or a constant, never as a name.
TEST(DocHtml, EveryKeywordOfTheGrammarIsHighlighted) {
  std::ifstream in(std::string(PROVISO_SOURCE_DIR) + "/grammar/Proviso.g4");
  ASSERT_TRUE(in) << "cannot read grammar/Proviso.g4";
  std::stringstream text;
  text << in.rdbuf();
  std::string g = text.str();
  std::regex rule(R"(\b[A-Z_]+\s*:\s*'([a-z_]+)'\s*;)");
  int words = 0;
  for (auto it = std::sregex_iterator(g.begin(), g.end(), rule); it != std::sregex_iterator(); ++it) {
    std::string word = (*it)[1];
    std::vector<Token> tokens = Lex(word);
    ASSERT_EQ(tokens.size(), 1u) << word;
    EXPECT_NE(std::string(tokens[0].cls), "n") << "`" << word << "` is a keyword of the grammar";
    ++words;
  }
  EXPECT_GT(words, 80);
}

}  // namespace
}  // namespace proviso::doc
