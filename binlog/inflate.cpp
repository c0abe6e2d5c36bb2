#include "binlog/inflate.h"

#include <array>

#include <fmt/format.h>

namespace switchyard::binlog {

namespace {

constexpr int kMaxBits = 15;

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> in) : in_(in) {}
  bool failed() const { return failed_; }
  size_t byte_pos() const { return pos_; }
  int Bits(int n) {
    uint32_t v = bitbuf_;
    while (bitcnt_ < n) {
      if (pos_ >= in_.size()) {
        failed_ = true;
        return 0;
      }
      v |= static_cast<uint32_t>(in_[pos_++]) << bitcnt_;
      bitcnt_ += 8;
    }
    bitbuf_ = v >> n;
    bitcnt_ -= n;
    return static_cast<int>(v & ((1u << n) - 1));
  }
  void AlignToByte() {
    bitbuf_ = 0;
    bitcnt_ = 0;
  }
  std::span<const uint8_t> in() const { return in_; }
  void Advance(size_t n) { pos_ += n; }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  uint32_t bitbuf_ = 0;
  int bitcnt_ = 0;
  bool failed_ = false;
};

struct Huffman {
  std::array<uint16_t, kMaxBits + 1> count{};
  std::array<uint16_t, 320> symbol{};
};

// Builds canonical code tables; returns false for over-subscribed code sets.
bool Build(Huffman& h, const uint16_t* lengths, int n) {
  h.count.fill(0);
  for (int s = 0; s < n; ++s) h.count[lengths[s]]++;
  if (h.count[0] == n) return true;  // empty code, only an error if used
  int left = 1;
  for (int len = 1; len <= kMaxBits; ++len) {
    left <<= 1;
    left -= h.count[len];
    if (left < 0) return false;
  }
  std::array<uint16_t, kMaxBits + 1> offs{};
  for (int len = 1; len < kMaxBits; ++len) offs[len + 1] = offs[len] + h.count[len];
  for (int s = 0; s < n; ++s) {
    if (lengths[s]) h.symbol[offs[lengths[s]]++] = static_cast<uint16_t>(s);
  }
  return true;
}

int Decode(BitReader& br, const Huffman& h) {
  int code = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    code |= br.Bits(1);
    if (br.failed()) return -1;
    int count = h.count[len];
    if (code - count < first) return h.symbol[index + (code - first)];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  return -1;
}

constexpr uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                   31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                   2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

Status Codes(BitReader& br, std::vector<uint8_t>& out, const Huffman& lencode,
             const Huffman& distcode, size_t max_output) {
  while (true) {
    int sym = Decode(br, lencode);
    if (sym < 0) return MakeError("inflate: bad literal/length code");
    if (sym < 256) {
      if (out.size() >= max_output) return MakeError("inflate: output exceeds declared size");
      out.push_back(static_cast<uint8_t>(sym));
    } else if (sym == 256) {
      return Status::Ok();
    } else {
      sym -= 257;
      if (sym >= 29) return MakeError("inflate: bad length symbol");
      size_t len = kLenBase[sym] + br.Bits(kLenExtra[sym]);
      int dsym = Decode(br, distcode);
      if (dsym < 0 || dsym >= 30) return MakeError("inflate: bad distance symbol");
      size_t dist = kDistBase[dsym] + br.Bits(kDistExtra[dsym]);
      if (br.failed()) return MakeError("inflate: truncated stream");
      if (dist > out.size()) return MakeError("inflate: distance too far back");
      if (out.size() + len > max_output) return MakeError("inflate: output exceeds declared size");
      size_t from = out.size() - dist;
      for (size_t i = 0; i < len; ++i) out.push_back(out[from + i]);
    }
  }
}

Status Dynamic(BitReader& br, std::vector<uint8_t>& out, size_t max_output) {
  static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                         11, 4,  12, 3, 13, 2, 14, 1, 15};
  int nlen = br.Bits(5) + 257, ndist = br.Bits(5) + 1, ncode = br.Bits(4) + 4;
  if (br.failed() || nlen > 286 || ndist > 30) return MakeError("inflate: bad dynamic header");
  uint16_t lengths[320] = {};
  for (int i = 0; i < ncode; ++i) lengths[kOrder[i]] = static_cast<uint16_t>(br.Bits(3));
  Huffman lencode, distcode;
  if (!Build(lencode, lengths, 19)) return MakeError("inflate: bad code-length code");
  int index = 0;
  while (index < nlen + ndist) {
    int sym = Decode(br, lencode);
    if (sym < 0) return MakeError("inflate: bad code-length symbol");
    if (sym < 16) {
      lengths[index++] = static_cast<uint16_t>(sym);
      continue;
    }
    uint16_t len = 0;
    int repeat;
    if (sym == 16) {
      if (index == 0) return MakeError("inflate: repeat with no previous length");
      len = lengths[index - 1];
      repeat = 3 + br.Bits(2);
    } else if (sym == 17) {
      repeat = 3 + br.Bits(3);
    } else {
      repeat = 11 + br.Bits(7);
    }
    if (index + repeat > nlen + ndist) return MakeError("inflate: too many lengths");
    while (repeat--) lengths[index++] = len;
  }
  if (lengths[256] == 0) return MakeError("inflate: no end-of-block code");
  if (!Build(lencode, lengths, nlen) || !Build(distcode, lengths + nlen, ndist)) {
    return MakeError("inflate: bad literal/distance code set");
  }
  return Codes(br, out, lencode, distcode, max_output);
}

Status Fixed(BitReader& br, std::vector<uint8_t>& out, size_t max_output) {
  static const auto tables = [] {
    std::pair<Huffman, Huffman> t;
    uint16_t lengths[288];
    int s = 0;
    for (; s < 144; ++s) lengths[s] = 8;
    for (; s < 256; ++s) lengths[s] = 9;
    for (; s < 280; ++s) lengths[s] = 7;
    for (; s < 288; ++s) lengths[s] = 8;
    Build(t.first, lengths, 288);
    for (s = 0; s < 30; ++s) lengths[s] = 5;
    Build(t.second, lengths, 30);
    return t;
  }();
  return Codes(br, out, tables.first, tables.second, max_output);
}

}  // namespace

Result<std::vector<uint8_t>> ZlibInflate(std::span<const uint8_t> in, size_t max_output) {
  if (in.size() < 2) return MakeError("zlib stream too short");
  if ((in[0] & 0x0f) != 8 || ((in[0] << 8) | in[1]) % 31 != 0 || (in[1] & 0x20)) {
    return MakeError("not a zlib stream (bad header)");
  }
  BitReader br(in.subspan(2));
  std::vector<uint8_t> out;
  out.reserve(std::min<size_t>(max_output, 1 << 20));
  bool last = false;
  while (!last) {
    last = br.Bits(1);
    int type = br.Bits(2);
    if (br.failed()) return MakeError("inflate: truncated stream");
    Status st;
    if (type == 0) {
      br.AlignToByte();
      auto rest = br.in().subspan(br.byte_pos());
      if (rest.size() < 4) return MakeError("inflate: truncated stored block");
      size_t len = rest[0] | rest[1] << 8;
      size_t nlen = rest[2] | rest[3] << 8;
      if (len != (~nlen & 0xffff)) return MakeError("inflate: stored length mismatch");
      if (rest.size() < 4 + len) return MakeError("inflate: truncated stored block");
      if (out.size() + len > max_output) return MakeError("inflate: output exceeds declared size");
      out.insert(out.end(), rest.begin() + 4, rest.begin() + 4 + len);
      br.Advance(4 + len);
    } else if (type == 1) {
      st = Fixed(br, out, max_output);
    } else if (type == 2) {
      st = Dynamic(br, out, max_output);
    } else {
      return MakeError("inflate: invalid block type");
    }
    if (!st.ok()) return st.error();
  }
  return out;
}

}  // namespace switchyard::binlog
