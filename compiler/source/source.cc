#include "compiler/source/source.h"

#include <filesystem>

#include "compiler/support/read_file.h"

namespace proviso {

Span Span::To(const Span& other) const {
  if (!valid()) return other;
  if (!other.valid()) return *this;
  Span s = *this;
  if (other.end_line > s.end_line || (other.end_line == s.end_line && other.end_col > s.end_col)) {
    s.end_line = other.end_line;
    s.end_col = other.end_col;
  }
  return s;
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || line > static_cast<int>(line_starts.size())) return {};
  size_t begin = line_starts[line - 1];
  size_t end = text.find('\n', begin);
  if (end == std::string::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(begin, end - begin);
}

int SourceManager::Add(std::string path, std::string text) {
  auto f = std::make_unique<SourceFile>();
  f->path = std::move(path);
  f->text = std::move(text);
  f->line_starts.push_back(0);
  for (size_t i = 0; i < f->text.size(); ++i) {
    if (f->text[i] == '\n') f->line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(f));
  return static_cast<int>(files_.size()) - 1;
}

int SourceManager::Load(const std::string& path, std::string* error) {
  // A pipe or a device would block the compiler (a FIFO without a writer) or never end (/dev/zero):
  // policies, imports and law files are regular files.
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st) &&
      !std::filesystem::is_directory(st)) {
    *error = "it is not a regular file (a pipe, a device or a socket)";
    return -1;
  }
  std::optional<std::string> text = ReadWholeFile(path, kMaxSourceBytes, error);
  if (!text) return -1;
  return Add(path, std::move(*text));
}

int SourceManager::Find(const std::string& path) const {
  for (size_t i = 0; i < files_.size(); ++i) {
    if (files_[i]->path == path) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace proviso
