#include "wire/auth.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "captured_mariadb.h"
#include "test_util.h"
#include "wire/handshake.h"

namespace switchyard::wire {
namespace {

// PASSWORD('app_pw') as printed by MariaDB 10.11.19 (SELECT PASSWORD('app_pw')).
constexpr std::string_view kAppPwHash = "*95BE1A04B76EE9AB97CEE8436421F2D15539B738";

TEST(NativePassword, HashMatchesMariadbPasswordFunction) {
  EXPECT_EQ(NativePasswordHash("app_pw"), kAppPwHash);
  // Same value computed independently with OpenSSL's one-shot SHA1.
  Sha1Digest s1 = Sha1(AsBytes("app_pw"));
  Sha1Digest s2 = Sha1(s1);
  auto parsed = ParseNativePasswordHash(kAppPwHash);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, s2);
  EXPECT_EQ(NativePasswordHash(""), "");
}

TEST(NativePassword, ParseRejectsBadHashes) {
  EXPECT_FALSE(ParseNativePasswordHash("95BE1A04B76EE9AB97CEE8436421F2D15539B738").ok());
  EXPECT_FALSE(ParseNativePasswordHash("*95BE1A04B76EE9AB97CEE8436421F2D15539B73").ok());
  EXPECT_FALSE(ParseNativePasswordHash("*95BE1A04B76EE9AB97CEE8436421F2D15539B73G").ok());
  auto lower = ParseNativePasswordHash("*95be1a04b76ee9ab97cee8436421f2d15539b738");
  EXPECT_TRUE(lower.ok());
}

TEST(NativePassword, RealClientTokenVerifiesAndRecoversStage1) {
  // The mariadb client's login token for app/app_pw against the captured greeting's scramble.
  auto greeting = HandshakeV10::Decode(testing::FramePayloads(captured::kS1Greeting)[0]);
  auto response =
      HandshakeResponse41::Decode(testing::FramePayloads(captured::kS1LoginResponse)[0]);
  ASSERT_TRUE(greeting.ok() && response.ok());
  auto stage2 = ParseNativePasswordHash(kAppPwHash);
  ASSERT_TRUE(stage2.ok());
  auto stage1 = VerifyNativePassword(response->auth_response, greeting->scramble, *stage2);
  ASSERT_TRUE(stage1.has_value());
  EXPECT_EQ(*stage1, NativeStage1("app_pw"));
  // Our own token for the same scramble is byte-identical to the real client's.
  EXPECT_EQ(NativePasswordToken("app_pw", greeting->scramble), response->auth_response);
  // And from the recovered stage1 alone we can answer any new scramble.
  Bytes other = GenerateScramble();
  EXPECT_EQ(NativePasswordTokenFromStage1(*stage1, other), NativePasswordToken("app_pw", other));
}

TEST(NativePassword, WrongPasswordAndWrongLengthsFail) {
  Bytes scramble = GenerateScramble();
  auto stage2 = *ParseNativePasswordHash(kAppPwHash);
  EXPECT_FALSE(VerifyNativePassword(NativePasswordToken("wrong", scramble), scramble, stage2));
  EXPECT_FALSE(VerifyNativePassword({}, scramble, stage2));
  Bytes token = NativePasswordToken("app_pw", scramble);
  token.pop_back();
  EXPECT_FALSE(VerifyNativePassword(token, scramble, stage2));
  // Token for a different scramble.
  EXPECT_FALSE(
      VerifyNativePassword(NativePasswordToken("app_pw", GenerateScramble()), scramble, stage2));
}

TEST(NativePassword, EmptyPasswordAccount) {
  Bytes scramble = GenerateScramble();
  EXPECT_TRUE(VerifyNativePassword({}, scramble, std::nullopt));
  EXPECT_FALSE(VerifyNativePassword(NativePasswordToken("x", scramble), scramble, std::nullopt));
  EXPECT_TRUE(NativePasswordToken("", scramble).empty());
}

TEST(Scramble, IsTwentyPrintableSafeBytesAndFresh) {
  Bytes a = GenerateScramble(), b = GenerateScramble();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  for (uint8_t c : a) {
    EXPECT_NE(c, 0);
    EXPECT_NE(c, '$');
    EXPECT_LT(c, 128);
  }
}

TEST(CachingSha2, FastPathTokenMatchesDefinition) {
  Bytes nonce = FromHex("0102030405060708090a0b0c0d0e0f1011121314");
  Bytes token = CachingSha2Token("app_pw", nonce);
  ASSERT_EQ(token.size(), 32u);
  // XOR back with the mask gives SHA256(pw).
  Sha256Digest p1 = Sha256(AsBytes("app_pw"));
  Sha256Digest p2 = Sha256(p1);
  Bytes buf(p2.begin(), p2.end());
  buf.insert(buf.end(), nonce.begin(), nonce.end());
  Sha256Digest mask = Sha256(buf);
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(token[i] ^ mask[i], p1[i]);
  EXPECT_TRUE(CachingSha2Token("", nonce).empty());
  EXPECT_EQ(CachingSha2CleartextPassword("pw"), (Bytes{'p', 'w', 0}));
}

TEST(CachingSha2, RsaFullAuthDecryptsToPasswordXorNonce) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
  char* pem_data = nullptr;
  long pem_len = BIO_get_mem_data(bio.get(), &pem_data);
  std::string pem(pem_data, static_cast<size_t>(pem_len));

  Bytes nonce = FromHex("0102030405060708090a0b0c0d0e0f1011121314");
  auto enc = CachingSha2RsaEncryptPassword("app_pw", nonce, pem);
  ASSERT_TRUE(enc.ok()) << enc.error().message;
  EXPECT_EQ(enc->size(), 256u);

  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  ASSERT_EQ(EVP_PKEY_decrypt_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  size_t out_len = 512;
  Bytes out(out_len);
  ASSERT_EQ(EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, enc->data(), enc->size()), 1);
  out.resize(out_len);
  Bytes expected = {'a', 'p', 'p', '_', 'p', 'w', 0};
  for (size_t i = 0; i < expected.size(); ++i) expected[i] ^= nonce[i % nonce.size()];
  EXPECT_EQ(out, expected);

  EXPECT_FALSE(CachingSha2RsaEncryptPassword("pw", nonce, "not a pem").ok());
  EXPECT_FALSE(CachingSha2RsaEncryptPassword("pw", {}, pem).ok());
}

}  // namespace
}  // namespace switchyard::wire
