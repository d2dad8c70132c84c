// Source files and spans: where every piece of a policy came from.
#ifndef PROVISO_COMPILER_SOURCE_SOURCE_H_
#define PROVISO_COMPILER_SOURCE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace proviso {

// A region of one source file. Lines and columns are 1-based; columns count code points.
// `end_col` is exclusive. A default Span (file < 0) means "no location".
struct Span {
  int file = -1;
  int line = 0;
  int col = 0;
  int end_line = 0;
  int end_col = 0;

  bool valid() const { return file >= 0; }
  // The smallest span covering both (same file assumed).
  Span To(const Span& other) const;
};

// One loaded file: its display path and its text.
struct SourceFile {
  std::string path;
  std::string text;
  std::vector<size_t> line_starts;  // byte offset of each line

  // The text of 1-based line `line`, without its newline; empty when out of range.
  std::string_view Line(int line) const;
};

// Owns every file of a compilation. Files are never removed, so ids stay valid.
// Not thread-safe for concurrent Add; reads of added files are safe.
class SourceManager {
 public:
  // Adds a file with the given text and returns its id.
  int Add(std::string path, std::string text);
  // Reads a regular file from disk (at most kMaxSourceBytes); returns -1 and sets `error` to why not
  // ("no such file", "it is a directory", "it is not a regular file ...") if it cannot be read.
  int Load(const std::string& path, std::string* error);
  const SourceFile& file(int id) const { return *files_.at(id); }
  int size() const { return static_cast<int>(files_.size()); }
  // The id of an already added file with this path, or -1.
  int Find(const std::string& path) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace proviso

#endif  // PROVISO_COMPILER_SOURCE_SOURCE_H_
