// The users clients may log in as (from config), and what the proxy needs to log in to
// backends as the same identity. With only a password_hash stored, the client's own scramble
// response reveals SHA1(password) (stage1), which is enough for mysql_native_password backends.
// Thread-safe: Replace() (hot reload) swaps the whole table; readers see the old or the new one.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "conf/config.h"
#include "wire/auth.h"
#include "wire/server_handshake.h"

namespace switchyard::proxy {

struct BackendCredentials {
  std::string user;
  std::optional<std::string> password;     // plaintext when configured (needed for caching_sha2)
  std::optional<wire::Sha1Digest> stage1;  // SHA1(password); enough for mysql_native_password
  bool empty_password = false;
};

class UserDirectory {
 public:
  explicit UserDirectory(const std::vector<conf::UserConfig>& users);

  // The table from a reloaded config; sessions already logged in are not affected.
  void Replace(const std::vector<conf::UserConfig>& users);

  // Verifies a mysql_native_password token against `scramble`; nullopt if the user is unknown
  // or the password is wrong.
  std::optional<BackendCredentials> Verify(const std::string& user, wire::BytesView token,
                                           wire::BytesView scramble) const;
  bool Has(const std::string& user) const { return Current()->count(user) != 0; }
  // For wire::ServerHandshake: what is stored for `user` (nullopt: unknown user).
  std::optional<wire::ServerCredential> Lookup(std::string_view user) const;
  // Backend login material for an authenticated user; `sha1` is what the client's token revealed.
  BackendCredentials CredentialsFor(const std::string& user,
                                    const std::optional<wire::Sha1Digest>& sha1) const;

 private:
  struct Entry {
    std::optional<std::string> password;
    std::optional<wire::Sha1Digest> stage2;  // nullopt: empty password
  };
  using Table = std::unordered_map<std::string, Entry>;
  static std::shared_ptr<const Table> Build(const std::vector<conf::UserConfig>& users);
  std::shared_ptr<const Table> Current() const { return users_.load(std::memory_order_acquire); }

  std::atomic<std::shared_ptr<const Table>> users_;
};

}  // namespace switchyard::proxy
