// Authentication-plugin math, client and server side, with OpenSSL libcrypto for the digests.
// mysql_native_password:  token = SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); the server stores
//   "*" + HEX(SHA1(SHA1(pw))) ("stage2"). Verifying a token also RECOVERS SHA1(pw) ("stage1"),
//   which is all a client needs to log in elsewhere with native auth: the proxy never needs the
//   plaintext for native backends.
// caching_sha2_password (client side): fast-path token, cleartext-over-TLS, RSA-OAEP full auth.
//   Those need the plaintext password.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "wire/bytes.h"

namespace switchyard::wire {

using Sha1Digest = std::array<uint8_t, 20>;
using Sha256Digest = std::array<uint8_t, 32>;

inline constexpr size_t kScrambleLength = 20;

Sha1Digest Sha1(BytesView data);
Sha256Digest Sha256(BytesView data);

// A fresh 20-byte scramble from OpenSSL's CSPRNG, bytes in 1..127 without '$' like the servers'.
Bytes GenerateScramble();

// --- mysql_native_password ---
// SHA1(pw): the secret a client needs; SHA1(SHA1(pw)): what servers store.
Sha1Digest NativeStage1(std::string_view password);
Sha1Digest NativeStage2(const Sha1Digest& stage1);
// "*" + 40 upper-case hex of SHA1(SHA1(pw)), as PASSWORD() prints; "" for an empty password.
std::string NativePasswordHash(std::string_view password);
// Parses "*<40 hex>" (either case) into the stage2 digest.
Result<Sha1Digest> ParseNativePasswordHash(std::string_view hash);
// Client token for `scramble` (empty for an empty password).
Bytes NativePasswordToken(std::string_view password, BytesView scramble);
Bytes NativePasswordTokenFromStage1(const Sha1Digest& stage1, BytesView scramble);
// Checks a client's token against the stored stage2. On success returns the recovered stage1
// (SHA1(pw)). `stage2` nullopt means the account has no password: only an empty token passes
// (and then the returned digest is all zero).
std::optional<Sha1Digest> VerifyNativePassword(BytesView token, BytesView scramble,
                                               const std::optional<Sha1Digest>& stage2);

// --- caching_sha2_password (client side) ---
// Fast path: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce); empty for an empty password.
Bytes CachingSha2Token(std::string_view password, BytesView nonce);
// Full authentication over TLS (or a unix socket): the password, NUL-terminated.
Bytes CachingSha2CleartextPassword(std::string_view password);
// Full authentication without TLS: RSA-OAEP(public key of the server, (pw + NUL) XOR nonce).
// `public_key_pem` is the PEM the server sent after the client's 0x02 request.
Result<Bytes> CachingSha2RsaEncryptPassword(std::string_view password, BytesView nonce,
                                            std::string_view public_key_pem);

}  // namespace switchyard::wire
