// The base protocol of LSP: JSON-RPC 2.0 messages framed by `Content-Length: N\r\n\r\n` headers.
#ifndef PROVISO_COMPILER_LSP_TRANSPORT_H_
#define PROVISO_COMPILER_LSP_TRANSPORT_H_

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace proviso::lsp {

// The largest message body read (bigger ones are skipped, unread, and reported).
constexpr size_t kMaxMessageBytes = 64u << 20;
// The longest header line (a stream of bytes with no newline is not a header).
constexpr size_t kMaxHeaderLine = 8192;

// Reads and writes framed messages on two streams. Not thread-safe; the streams must outlive it.
class Transport {
 public:
  Transport(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  enum class Status {
    kMessage,    // `body` holds one message body
    kEnd,        // the input ended (cleanly or in the middle of a message)
    kBadHeader,  // headers without a usable Content-Length: `error` says why; reading may go on
    kTooLarge,   // the body is over kMaxMessageBytes: `error` says so; the next Read skips it unread
  };
  // Reads the next message. Never throws on any input bytes.
  Status Read(std::string* body, std::string* error);
  // Writes one message (serialised compactly, invalid UTF-8 replaced) and flushes.
  void Write(const nlohmann::json& message);

 private:
  bool ReadLine(std::string* line, bool* too_long);
  std::istream& in_;
  std::ostream& out_;
  long long skip_ = 0;  // bytes of a too large message still to skip
};

}  // namespace proviso::lsp

#endif  // PROVISO_COMPILER_LSP_TRANSPORT_H_
