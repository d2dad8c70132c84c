#include "compiler/support/read_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

namespace proviso {

std::optional<std::string> ReadWholeFile(const std::string& path, size_t limit, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {  // fopen succeeds on a directory on Linux
    *error = "it is a directory";
    return std::nullopt;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    *error = errno == ENOENT ? "no such file" : std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    size_t n = std::fread(buf, 1, sizeof buf, f.get());
    if (n > limit - text.size()) {
      *error = fmt::format("it is larger than {} MiB", limit >> 20);
      return std::nullopt;
    }
    text.append(buf, n);
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  return text;
}

}  // namespace proviso
