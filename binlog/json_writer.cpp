#include "binlog/json_writer.h"

#include "binlog/utf8.h"

#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/value_format.h"

namespace switchyard::binlog {

namespace {

using namespace coltype;

// Length of the well-formed UTF-8 sequence starting at p (Unicode table 3-7: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when it is not one. The same sequences nlohmann's
// decoder accepts.
inline size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = p[0];
  auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1, 0x80, 0xbf) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0, 0xbf) && cont(2, 0x80, 0xbf) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
    return cont(1, 0x80, 0xbf) && cont(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2, 0x80, 0xbf) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90, 0xbf) && cont(2, 0x80, 0xbf) && cont(3, 0x80, 0xbf) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) {
    return cont(1, 0x80, 0xbf) && cont(2, 0x80, 0xbf) && cont(3, 0x80, 0xbf) ? 4 : 0;
  }
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2, 0x80, 0xbf) && cont(3, 0x80, 0xbf) ? 4 : 0;
  return 0;
}

// Escape for an ASCII byte, or nullptr when it is copied as is.
constexpr auto MakeEscapes() {
  struct Table {
    char text[128][7];
  } t{};
  constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 0x20; ++c) {
    const char e[7] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], 0};
    for (int i = 0; i < 7; ++i) t.text[c][i] = e[i];
  }
  auto set2 = [&](int c, char e) {
    t.text[c][0] = '\\';
    t.text[c][1] = e;
    t.text[c][2] = 0;
  };
  set2('\b', 'b');
  set2('\t', 't');
  set2('\n', 'n');
  set2('\f', 'f');
  set2('\r', 'r');
  set2('"', '"');
  set2('\\', '\\');
  return t;
}
constexpr auto kEscapes = MakeEscapes();

void WriteHexString(TextWriter& w, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  char* p = w.Reserve(s.size() * 2 + 10);
  std::memcpy(p, "{\"hex\":\"", 8);
  p += 8;
  for (unsigned char c : s) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 15];
  }
  *p++ = '"';
  *p++ = '}';
  w.Commit(p);
}

void WriteNlohmann(TextWriter& w, const nlohmann::json& j) {
  w.Append(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

void WriteJsonString(TextWriter& w, std::string_view s) {
  char* out = w.Reserve(s.size() * 6 + 2);
  char* const start = out;
  *out++ = '"';
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
#if defined(__SSE2__)
  // Sixteen plain bytes at a time (no control, non-ASCII, quote or backslash byte).
  const __m128i below_space = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'),
                backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), x);
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, below_space), x);  // x < 0x20
    const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash));
    if ((_mm_movemask_epi8(_mm_or_si128(control, special)) | _mm_movemask_epi8(x)) != 0) break;
    p += 16;
    out += 16;
  }
#endif
  while (p < end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      // No byte < 0x20, >= 0x80, '"' or '\\' in these eight: copy them whole.
      const uint64_t low = (word - kOnes * 0x20) & ~word;
      const uint64_t quote = word ^ (kOnes * '"'), slash = word ^ (kOnes * '\\');
      const uint64_t has_quote = (quote - kOnes) & ~quote, has_slash = (slash - kOnes) & ~slash;
      if (((low | has_quote | has_slash | word) & kOnes * 0x80) == 0) {
        std::memcpy(out, p, 8);
        out += 8;
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      const char* e = kEscapes.text[c];
      if (*e) {
        const size_t n = std::strlen(e);
        std::memcpy(out, e, n);
        out += n;
      } else {
        *out++ = static_cast<char>(c);
      }
      ++p;
      continue;
    }
    const size_t n = Utf8SequenceLength(p, end);
    if (n == 0) {
      // Invalid UTF-8: nlohmann's replacement rules (which bytes a U+FFFD stands for) are
      // subtle; let it render the whole string.
      w.Commit(start);
      WriteNlohmann(w, nlohmann::json(std::string(s)));
      return;
    }
    std::memcpy(out, p, n);
    out += n;
    p += n;
  }
  *out++ = '"';
  w.Commit(out);
}

void WriteJsonDouble(TextWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.Append("null");
    return;
  }
  char* p = w.Reserve(64);
  w.Commit(nlohmann::detail::to_chars(p, p + 64, v));
}

void WriteValueJson(TextWriter& w, const ColumnValue& value, const ColumnDef& col) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, AbsentValue> || std::is_same_v<T, NullValue>) {
          w.Append("null");
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w.AppendSigned(v);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          w.AppendUnsigned(v);
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          WriteJsonDouble(w, static_cast<double>(v));
        } else if constexpr (std::is_same_v<T, DecimalValue>) {
          char* p = w.Reserve(kMaxDecimalChars + 2);
          *p++ = '"';
          p = WriteDecimal(p, v.bin, v.precision, v.scale);
          *p++ = '"';
          w.Commit(p);
        } else if constexpr (std::is_same_v<T, DateValue> || std::is_same_v<T, TimeValue> ||
                             std::is_same_v<T, DateTimeValue> ||
                             std::is_same_v<T, TimestampValue>) {
          // The mariadb-binlog rendering without its quotes (digits and separators only, so
          // nothing to escape); DATE with '-' where mariadb-binlog prints ':'.
          const size_t at = w.size();
          w.Put('"');
          WriteValueMariadbStyle(w, v, col);
          char* text = w.data() + at + 1;
          size_t n = w.size() - at - 1;
          if (n >= 2 && text[0] == '\'') {
            std::memmove(text, text + 1, n - 2);
            n -= 2;
            w.resize_down(at + 1 + n);
          }
          if constexpr (std::is_same_v<T, DateValue>) {
            for (size_t i = 0; i < n; ++i) {
              if (text[i] == ':') text[i] = '-';
            }
          }
          w.Put('"');
        } else if constexpr (std::is_same_v<T, YearValue>) {
          w.AppendUnsigned(v.year);
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          if (v.index >= 1 && v.index <= col.enum_or_set_values.size()) {
            WriteJsonString(w, col.enum_or_set_values[v.index - 1]);
          } else {
            w.AppendUnsigned(v.index);
          }
        } else if constexpr (std::is_same_v<T, SetValue>) {
          if (!col.enum_or_set_values.empty()) {
            w.Put('[');
            bool first = true;
            for (size_t i = 0; i < col.enum_or_set_values.size() && i < 64; ++i) {
              if ((v.bits >> i) & 1) {
                if (!first) w.Put(',');
                first = false;
                WriteJsonString(w, col.enum_or_set_values[i]);
              }
            }
            w.Put(']');
          } else {
            w.AppendUnsigned(v.bits);
          }
        } else if constexpr (std::is_same_v<T, BitValue>) {
          w.AppendUnsigned(v.bits);
        } else if constexpr (std::is_same_v<T, StringValue>) {
          if (col.charset != 63 && IsValidUtf8Lenient(v.bytes)) {
            WriteJsonString(w, v.bytes);
          } else {
            WriteHexString(w, v.bytes);
          }
        } else if constexpr (std::is_same_v<T, JsonValue> || std::is_same_v<T, JsonDiffValue>) {
          WriteNlohmann(w, ColumnValueToJson(value, col));  // rare: parsed JSON documents
        } else {
          WriteHexString(w, v.bytes);  // geometry, vectors, compressed
        }
      },
      value);
}

}  // namespace switchyard::binlog
