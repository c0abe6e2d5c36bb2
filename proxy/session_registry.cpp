#include "proxy/session_registry.h"

#include <vector>

namespace switchyard::proxy {

void SessionRegistry::Add(uint32_t id, std::weak_ptr<SessionHandle> session) {
  std::lock_guard lock(mu_);
  sessions_[id] = std::move(session);
}

void SessionRegistry::Remove(uint32_t id) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

std::shared_ptr<SessionHandle> SessionRegistry::Find(uint32_t id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.lock();
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionRegistry::ForEach(const std::function<void(SessionHandle&)>& fn) const {
  std::vector<std::shared_ptr<SessionHandle>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, weak] : sessions_)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) fn(*s);
}

}  // namespace switchyard::proxy
