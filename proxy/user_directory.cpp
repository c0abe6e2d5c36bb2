#include "proxy/user_directory.h"

namespace switchyard::proxy {

UserDirectory::UserDirectory(const std::vector<conf::UserConfig>& users) : users_(Build(users)) {}

void UserDirectory::Replace(const std::vector<conf::UserConfig>& users) {
  users_.store(Build(users), std::memory_order_release);
}

std::shared_ptr<const UserDirectory::Table> UserDirectory::Build(
    const std::vector<conf::UserConfig>& users) {
  auto table = std::make_shared<Table>();
  for (const auto& u : users) {
    Entry e;
    if (!u.password_hash.empty()) {
      auto parsed = wire::ParseNativePasswordHash(u.password_hash);
      if (parsed.ok()) e.stage2 = *parsed;  // config validation already checked the format
    } else {
      e.password = u.password;
      if (!u.password.empty()) e.stage2 = wire::NativeStage2(wire::NativeStage1(u.password));
    }
    (*table)[u.name] = std::move(e);
  }
  return table;
}

std::optional<BackendCredentials> UserDirectory::Verify(const std::string& user,
                                                        wire::BytesView token,
                                                        wire::BytesView scramble) const {
  auto table = Current();
  auto it = table->find(user);
  if (it == table->end()) return std::nullopt;
  const Entry& e = it->second;
  BackendCredentials creds{user, e.password, std::nullopt, false};
  if (!e.stage2) {  // empty password: the client must send an empty token
    if (!token.empty()) return std::nullopt;
    creds.empty_password = true;
    return creds;
  }
  auto stage1 = wire::VerifyNativePassword(token, scramble, e.stage2);
  if (!stage1) return std::nullopt;
  creds.stage1 = *stage1;
  return creds;
}

std::optional<wire::ServerCredential> UserDirectory::Lookup(std::string_view user) const {
  auto table = Current();
  auto it = table->find(std::string(user));
  if (it == table->end()) return std::nullopt;
  return wire::ServerCredential{it->second.stage2};
}

BackendCredentials UserDirectory::CredentialsFor(
    const std::string& user, const std::optional<wire::Sha1Digest>& sha1) const {
  BackendCredentials creds{user, std::nullopt, sha1, false};
  auto table = Current();
  auto it = table->find(user);
  if (it != table->end()) {
    creds.password = it->second.password;
    creds.empty_password = !it->second.stage2.has_value();
  }
  return creds;
}

}  // namespace switchyard::proxy
