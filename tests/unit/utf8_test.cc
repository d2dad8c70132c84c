// compiler/support/utf8: where text stops being UTF-8, and its printable form.
#include "compiler/support/utf8.h"

#include <gtest/gtest.h>

namespace proviso {
namespace {

TEST(Utf8, FirstInvalidByte) {
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), 11u);
  EXPECT_EQ(FirstInvalidUtf8("caf\xC3\xA9 \xE6\x95\xB0\xE6\x8D\xAE \xF0\x9F\x93\x9C"), 17u);  // é, 数据, 📜: all of it
  EXPECT_EQ(FirstInvalidUtf8("caf\xE9"), 3u);              // Latin-1, not UTF-8
  EXPECT_EQ(FirstInvalidUtf8("ab\xC3"), 2u);               // truncated sequence
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);             // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xED\xA0\x80"), 1u);        // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);     // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("ok\x80"), 2u);               // a lone continuation byte
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(ValidUtf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(ValidUtf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
}

}  // namespace
}  // namespace proviso
