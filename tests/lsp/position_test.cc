// Positions between LSP (UTF-16 code units) and Proviso spans (code points), on Chinese text and on
// characters outside the BMP (two UTF-16 units, four UTF-8 bytes).
#include "compiler/lsp/position.h"

#include <gtest/gtest.h>

#include "compiler/lsp/features.h"
#include "compiler/lsp/transport.h"

#include <sstream>

namespace proviso::lsp {
namespace {

// "中文" is 2 code points, 2 UTF-16 units, 6 bytes; "😀" is 1 code point, 2 units, 4 bytes.
const std::string kLine = "let a = \"中文😀\" + b";

TEST(Utf16, CodePointsToUnits) {
  EXPECT_EQ(Utf16Column(kLine, 0), 0);
  EXPECT_EQ(Utf16Column(kLine, 9), 9);    // after the quote
  EXPECT_EQ(Utf16Column(kLine, 11), 11);  // after 中文: one unit each
  EXPECT_EQ(Utf16Column(kLine, 12), 13);  // after 😀: two units
  EXPECT_EQ(Utf16Column(kLine, 16), 17);  // `b`
  EXPECT_EQ(Utf16Column(kLine, 17), 18);  // the end
  EXPECT_EQ(Utf16Column(kLine, 30), 30 - 17 + 18);  // past the end: one unit per missing code point
}

TEST(Utf16, UnitsToCodePoints) {
  EXPECT_EQ(CodePointColumn(kLine, 11), 11);
  EXPECT_EQ(CodePointColumn(kLine, 13), 12);
  EXPECT_EQ(CodePointColumn(kLine, 12), 11);  // inside the surrogate pair: the code point it is part of
  EXPECT_EQ(CodePointColumn(kLine, 18), 17);
  for (int cp = 0; cp <= 19; ++cp) EXPECT_EQ(CodePointColumn(kLine, Utf16Column(kLine, cp)), cp) << cp;
}

TEST(Utf16, Length) {
  EXPECT_EQ(Utf16Length(kLine), 18);
  EXPECT_EQ(Utf16Length(""), 0);
}

TEST(Utf16, UnitsToBytes) {
  EXPECT_EQ(ByteColumn(kLine, 9), 9u);
  EXPECT_EQ(ByteColumn(kLine, 11), 15u);
  EXPECT_EQ(ByteColumn(kLine, 13), 19u);
  EXPECT_EQ(kLine.substr(ByteColumn(kLine, 17)), "b");
  EXPECT_EQ(ByteColumn(kLine, 1000), kLine.size());
}

TEST(Utf16, InvalidUtf8CountsOneUnitPerByte) {
  std::string bad = "a\xff\xfe" "b";
  EXPECT_EQ(Utf16Column(bad, 4), 4);
  EXPECT_EQ(CodePointColumn(bad, 3), 3);
}

TEST(Utf16, SpansToRangesAndBack) {
  std::string text = "policy p\r\n// 注释 😀😀\n" + kLine + "\n";
  Span b{0, 3, 17, 3, 18};  // `b`: line 3, column 17 (code points)
  Range r = ToRange(text, b);
  EXPECT_EQ(r.start.line, 2);
  EXPECT_EQ(r.start.character, 17);
  EXPECT_EQ(r.end.character, 18);
  int line = 0, col = 0;
  FromPosition(text, r.start, &line, &col);
  EXPECT_EQ(line, 3);
  EXPECT_EQ(col, 17);
  Span emoji{0, 2, 8, 2, 9};  // the second 😀 of `// 注释 😀😀`
  r = ToRange(text, emoji);
  EXPECT_EQ(r.start.character, 8);
  EXPECT_EQ(r.end.character, 10);
  EXPECT_EQ(OffsetOf(text, Position{1, 8}), text.find("😀") + 4);
  EXPECT_EQ(OffsetOf(text, Position{0, 100}), 8u);  // clamped to the line (before its \r\n)
  EXPECT_EQ(OffsetOf(text, Position{99, 0}), text.size());
  EXPECT_EQ(SplitLines(text)[0], "policy p");
}

TEST(Uri, PathsWithChineseAndSpaces) {
  std::string path = "/tmp/政策 a/b#1.proviso";
  std::string uri = PathToUri(path);
  EXPECT_EQ(uri, "file:///tmp/%E6%94%BF%E7%AD%96%20a/b%231.proviso");
  EXPECT_EQ(UriToPath(uri).value(), path);
  EXPECT_EQ(UriToPath("file://localhost/a/b").value(), "/a/b");
  EXPECT_FALSE(UriToPath("untitled:Untitled-1").has_value());
}

TEST(Transport, FramingAndBadHeaders) {
  std::istringstream in(
      "Content-Length: 2\r\n\r\n{}"
      "Content-Type: x\r\n\r\n"
      "Content-Length: abc\r\n\r\n"
      "content-length:  3 \r\n\r\n[1]"
      "Content-Length: 10\r\n\r\n{\"a\"");
  std::ostringstream out;
  Transport t(in, out);
  std::string body, error;
  EXPECT_EQ(t.Read(&body, &error), Transport::Status::kMessage);
  EXPECT_EQ(body, "{}");
  EXPECT_EQ(t.Read(&body, &error), Transport::Status::kBadHeader);
  EXPECT_EQ(t.Read(&body, &error), Transport::Status::kBadHeader);
  EXPECT_EQ(t.Read(&body, &error), Transport::Status::kMessage);
  EXPECT_EQ(body, "[1]");
  EXPECT_EQ(t.Read(&body, &error), Transport::Status::kEnd);  // a body cut short
  t.Write(nlohmann::json{{"x", "中"}});
  EXPECT_EQ(out.str(), "Content-Length: 11\r\n\r\n{\"x\":\"中\"}");
}

}  // namespace
}  // namespace proviso::lsp
