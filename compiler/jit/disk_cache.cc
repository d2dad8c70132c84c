#include "compiler/jit/disk_cache.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace proviso::jit {
namespace {

// Changes whenever what is stored, or what it depends on outside the IR, changes meaning.
constexpr const char* kFormat = "proviso-object-cache 5";

std::atomic<int64_t> loaded{0}, stored{0};

// The checksum of an entry: of its key and its object, so that an entry copied or renamed under
// another key (another policy's, another version's) is a miss, never loaded.
std::string EntrySum(const std::string& key, llvm::StringRef object) {
  llvm::SHA256 h;
  h.update(key);
  h.update("\n");
  h.update(object);
  return llvm::toHex(h.final(), /*LowerCase=*/true);
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  llvm::SHA256 h;
  h.update(llvm::StringRef(bytes.data(), bytes.size()));
  return llvm::toHex(h.final(), /*LowerCase=*/true);
}

std::optional<DiskCache> DiskCache::FromEnvironment() {
  const char* dir = std::getenv("PROVISO_CACHE_DIR");
  if (!dir || !*dir) return std::nullopt;
  return DiskCache(dir);
}

std::string DiskCache::Digest(const llvm::Module& m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  m.print(os, nullptr);
  return Sha256Hex(os.str());
}

std::string DiskCache::Key(const std::string& digest, const llvm::TargetMachine& tm, const char* pipeline) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kFormat << "\n" << LLVM_VERSION_STRING << "\n" << tm.getTargetTriple().str() << "\n"
     << tm.getTargetCPU() << "\n" << tm.getTargetFeatureString() << "\n"
     << static_cast<int>(tm.getOptLevel()) << " " << pipeline << " code model "
     << static_cast<int>(tm.getCodeModel()) << " pic " << tm.isPositionIndependent() << "\n"
     << digest << "\n";
  return Sha256Hex(os.str());
}

std::string DiskCache::Path(const std::string& key) const { return dir_ + "/" + key + ".o"; }

std::optional<std::string> DiskCache::Load(const std::string& key) const {
  std::ifstream in(Path(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string data = buffer.str();
  // "<format>\n<sha256 of the key and the object>\n<object>"
  size_t first = data.find('\n');
  size_t second = first == std::string::npos ? first : data.find('\n', first + 1);
  if (second == std::string::npos || data.compare(0, first, kFormat) != 0) return std::nullopt;
  std::string sum = data.substr(first + 1, second - first - 1);
  std::string object = data.substr(second + 1);
  if (object.empty() || EntrySum(key, object) != sum) return std::nullopt;
  ++loaded;
  return object;
}

void DiskCache::Store(const std::string& key, std::string_view object) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::string tmp = fmt::format("{}.{}.{}.tmp", Path(key), static_cast<long>(getpid()),
                                std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out << kFormat << "\n" << EntrySum(key, object) << "\n";
    out.write(object.data(), static_cast<std::streamsize>(object.size()));
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, Path(key), ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return;
  }
  ++stored;
}

DiskCacheStats DiskCacheCounts() { return DiskCacheStats{loaded.load(), stored.load()}; }

}  // namespace proviso::jit
