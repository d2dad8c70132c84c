// An on-disk cache of the JIT's machine code (opt-in): a policy compiled once is loaded, not
// compiled, by later processes. Enabled by the environment variable PROVISO_CACHE_DIR (a directory,
// created if needed). Entries are keyed by a SHA-256 of everything the code depends on (the
// generated LLVM IR, the LLVM version, the host CPU and its features, the optimisation settings);
// each file carries the SHA-256 of its key and contents, so a damaged entry, or one copied under
// another key, is a miss, never loaded.
#ifndef PROVISO_COMPILER_JIT_DISK_CACHE_H_
#define PROVISO_COMPILER_JIT_DISK_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llvm {
class Module;
class StringRef;
class TargetMachine;
}  // namespace llvm

namespace proviso::jit {

// The SHA-256 of `bytes`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

class DiskCache {
 public:
  // The cache named by PROVISO_CACHE_DIR (read at each call), or nullopt when it is unset or empty.
  static std::optional<DiskCache> FromEnvironment();
  explicit DiskCache(std::string dir) : dir_(std::move(dir)) {}

  // The digest of an unoptimised module (of its IR).
  static std::string Digest(const llvm::Module& m);
  // The key of the module of digest `digest` compiled with `tm` through the pass pipeline named
  // `pipeline` (which also names the entry point: a module is keyed before its entry is renamed).
  static std::string Key(const std::string& digest, const llvm::TargetMachine& tm, const char* pipeline);
  // The object stored under `key`, if there is one and it is intact.
  std::optional<std::string> Load(const std::string& key) const;
  // Stores `object` under `key` (best effort: an unwritable directory is not an error); a
  // concurrent writer of the same key writes the same bytes (temporary file, then rename).
  void Store(const std::string& key, std::string_view object) const;

 private:
  std::string Path(const std::string& key) const;
  std::string dir_;
};

// How many objects this process loaded from, and stored to, the disk cache (for tests).
struct DiskCacheStats {
  int64_t loaded = 0;
  int64_t stored = 0;
};
DiskCacheStats DiskCacheCounts();

}  // namespace proviso::jit

#endif  // PROVISO_COMPILER_JIT_DISK_CACHE_H_
