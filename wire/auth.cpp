#include "wire/auth.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

namespace switchyard::wire {

Sha1Digest Sha1(BytesView data) {
  Sha1Digest d;
  SHA1(data.data(), data.size(), d.data());
  return d;
}

Sha256Digest Sha256(BytesView data) {
  Sha256Digest d;
  SHA256(data.data(), data.size(), d.data());
  return d;
}

Bytes GenerateScramble() {
  Bytes s(kScrambleLength);
  if (RAND_bytes(s.data(), static_cast<int>(s.size())) != 1) {
    // The CSPRNG failing is not recoverable; a predictable scramble would be worse than aborting.
    std::abort();
  }
  for (auto& b : s) {
    b &= 0x7F;
    if (b == 0 || b == '$') b = static_cast<uint8_t>(b + 1);
  }
  return s;
}

Sha1Digest NativeStage1(std::string_view password) {
  return Sha1(AsBytes(password));
}
Sha1Digest NativeStage2(const Sha1Digest& stage1) {
  return Sha1(stage1);
}

std::string NativePasswordHash(std::string_view password) {
  if (password.empty()) return "";
  std::string hex = ToHex(NativeStage2(NativeStage1(password)));
  for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "*" + hex;
}

Result<Sha1Digest> ParseNativePasswordHash(std::string_view hash) {
  if (hash.size() != 41 || hash[0] != '*') {
    return MakeError("native password hash must be '*' followed by 40 hex digits");
  }
  for (char c : hash.substr(1)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return MakeError("native password hash must be '*' followed by 40 hex digits");
    }
  }
  Bytes raw = FromHex(hash.substr(1));
  Sha1Digest d;
  std::copy(raw.begin(), raw.end(), d.begin());
  return d;
}

namespace {
Sha1Digest Sha1Concat(BytesView a, BytesView b) {
  Bytes joined(a.begin(), a.end());
  joined.insert(joined.end(), b.begin(), b.end());
  return Sha1(joined);
}
}  // namespace

Bytes NativePasswordTokenFromStage1(const Sha1Digest& stage1, BytesView scramble) {
  Sha1Digest mask = Sha1Concat(scramble, NativeStage2(stage1));
  Bytes token(20);
  for (size_t i = 0; i < 20; ++i) token[i] = stage1[i] ^ mask[i];
  return token;
}

Bytes NativePasswordToken(std::string_view password, BytesView scramble) {
  if (password.empty()) return {};
  return NativePasswordTokenFromStage1(NativeStage1(password), scramble);
}

std::optional<Sha1Digest> VerifyNativePassword(BytesView token, BytesView scramble,
                                               const std::optional<Sha1Digest>& stage2) {
  if (!stage2) {
    if (token.empty()) return Sha1Digest{};
    return std::nullopt;
  }
  if (token.size() != 20) return std::nullopt;
  Sha1Digest mask = Sha1Concat(scramble, *stage2);
  Sha1Digest candidate;
  for (size_t i = 0; i < 20; ++i) candidate[i] = token[i] ^ mask[i];
  Sha1Digest check = NativeStage2(candidate);
  if (CRYPTO_memcmp(check.data(), stage2->data(), check.size()) != 0) return std::nullopt;
  return candidate;
}

Bytes CachingSha2Token(std::string_view password, BytesView nonce) {
  if (password.empty()) return {};
  Sha256Digest p1 = Sha256(AsBytes(password));
  Sha256Digest p2 = Sha256(p1);
  Bytes buf(p2.begin(), p2.end());
  buf.insert(buf.end(), nonce.begin(), nonce.end());
  Sha256Digest p3 = Sha256(buf);
  Bytes token(32);
  for (size_t i = 0; i < 32; ++i) token[i] = p1[i] ^ p3[i];
  return token;
}

Bytes CachingSha2CleartextPassword(std::string_view password) {
  Bytes out(password.begin(), password.end());
  out.push_back(0);
  return out;
}

Result<Bytes> CachingSha2RsaEncryptPassword(std::string_view password, BytesView nonce,
                                            std::string_view public_key_pem) {
  if (nonce.empty()) return MakeError("caching_sha2_password: empty nonce");
  Bytes plain = CachingSha2CleartextPassword(password);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] ^= nonce[i % nonce.size()];

  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())), BIO_free);
  if (!bio) return MakeError("caching_sha2_password: out of memory");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) return MakeError("caching_sha2_password: server sent an unreadable RSA public key");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0) {
    return MakeError("caching_sha2_password: cannot set up RSA-OAEP encryption");
  }
  size_t out_len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len, plain.data(), plain.size()) <= 0) {
    return MakeError("caching_sha2_password: RSA encryption failed");
  }
  Bytes out(out_len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, plain.data(), plain.size()) <= 0) {
    return MakeError("caching_sha2_password: password too long for the server's RSA key");
  }
  out.resize(out_len);
  return out;
}

}  // namespace switchyard::wire
