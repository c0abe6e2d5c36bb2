// Byte containers shared by every wire codec: owned Bytes and non-owning BytesView.
// A BytesView never owns; whoever hands one out says how long it stays valid.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::wire {

using Bytes = std::vector<uint8_t>;
using BytesView = std::span<const uint8_t>;

inline BytesView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsString(BytesView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Lower-case hex of `b`, for logs and test vectors.
std::string ToHex(BytesView b);
// Parses hex (whitespace ignored); returns an empty vector on odd length or a bad digit.
Bytes FromHex(std::string_view hex);

}  // namespace switchyard::wire
