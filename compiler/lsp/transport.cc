#include "compiler/lsp/transport.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace proviso::lsp {

bool Transport::ReadLine(std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  int c;
  while ((c = in_.get()) != std::char_traits<char>::eof()) {
    if (c == '\n') {
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
    if (line->size() < kMaxHeaderLine) {
      line->push_back(static_cast<char>(c));
    } else {
      *too_long = true;  // keep reading to the end of the line, keep nothing more
    }
  }
  return false;
}

Transport::Status Transport::Read(std::string* body, std::string* error) {
  body->clear();
  if (skip_ > 0) {  // the body of a message that was too large: in pieces, so that it costs no memory
    std::vector<char> chunk(1 << 16);
    while (skip_ > 0) {
      in_.read(chunk.data(), static_cast<std::streamsize>(std::min<long long>(skip_, chunk.size())));
      if (in_.gcount() == 0) return Status::kEnd;
      skip_ -= in_.gcount();
    }
  }
  long long length = -1;
  bool bad = false, any = false;
  std::string line;
  while (true) {
    bool too_long = false;
    if (!ReadLine(&line, &too_long)) return Status::kEnd;
    if (line.empty()) {
      if (!any) continue;  // blank lines between messages are tolerated
      break;
    }
    any = true;
    if (too_long) {
      bad = true;
      *error = "a header line is longer than 8192 bytes";
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      bad = true;
      *error = "a header line has no `:`: `" + line.substr(0, 80) + "`";
      continue;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (name != "content-length") continue;  // Content-Type and unknown headers are ignored
    std::string value = line.substr(colon + 1);
    size_t b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    if (value.empty() || value.size() > 18 ||
        !std::all_of(value.begin(), value.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
      bad = true;
      *error = "Content-Length is not a number: `" + value.substr(0, 40) + "`";
      continue;
    }
    length = std::stoll(value);
  }
  if (bad || length < 0) {
    if (!bad) *error = "a message has no Content-Length header";
    return Status::kBadHeader;
  }
  if (static_cast<unsigned long long>(length) > kMaxMessageBytes) {
    skip_ = length;  // skipped by the next Read, so that the client hears of it before the bytes come
    *error = "a message of " + std::to_string(length) + " bytes is over the limit of " +
             std::to_string(kMaxMessageBytes) + " bytes";
    return Status::kTooLarge;
  }
  body->resize(static_cast<size_t>(length));
  in_.read(body->data(), length);
  if (in_.gcount() != length) return Status::kEnd;
  return Status::kMessage;
}

void Transport::Write(const nlohmann::json& message) {
  std::string text = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out_ << "Content-Length: " << text.size() << "\r\n\r\n" << text;
  out_.flush();
}

}  // namespace proviso::lsp
