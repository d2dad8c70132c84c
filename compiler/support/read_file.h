// Reading a whole file with a size limit: policy sources, facts. A path may name a pipe or a
// device (`--facts /dev/stdin`), so the limit is what stops `/dev/zero` or an endless pipe, not
// the file's size on disk.
#ifndef PROVISO_COMPILER_SUPPORT_READ_FILE_H_
#define PROVISO_COMPILER_SUPPORT_READ_FILE_H_

#include <cstddef>
#include <optional>
#include <string>

namespace proviso {

// Policy sources are at most 16 MiB each.
inline constexpr size_t kMaxSourceBytes = size_t{16} << 20;

// The whole content of `path`, or nullopt with `error` set to why not, to follow "cannot read
// `path`: ": no such file, a directory, the system's reason (e.g. "Permission denied"), or more
// than `limit` bytes (reading stops there).
std::optional<std::string> ReadWholeFile(const std::string& path, size_t limit, std::string* error);

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_READ_FILE_H_
