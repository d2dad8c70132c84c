// UTF-8 checks for policy text: where a file stops being UTF-8, and a printable form of a line
// that is not.
#ifndef PROVISO_COMPILER_SUPPORT_UTF8_H_
#define PROVISO_COMPILER_SUPPORT_UTF8_H_

#include <string>
#include <string_view>

namespace proviso {

// The offset of the first byte of `s` that does not start a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are not well-formed), or s.size().
size_t FirstInvalidUtf8(std::string_view s);

// `s` with each byte that is not part of a well-formed sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_UTF8_H_
