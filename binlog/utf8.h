// The UTF-8 check the dump's text and JSON renderers share: a string is shown as text when it is
// well-formed UTF-8 in this lenient sense (lead bytes and continuation bytes only; overlong forms
// and surrogates pass), as hex otherwise. Pure, header-only.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace switchyard::binlog {

inline bool IsValidUtf8Lenient(std::string_view s) {
  size_t i = 0;
  // ASCII runs eight bytes at a time.
  while (s.size() - i >= 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < s.size()) {
    unsigned char c = s[i];
    int extra = c < 0x80             ? 0
                : (c & 0xe0) == 0xc0 ? 1
                : (c & 0xf0) == 0xe0 ? 2
                : (c & 0xf8) == 0xf0 ? 3
                                     : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0)) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace switchyard::binlog
