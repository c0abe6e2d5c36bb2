#include "proxy/snapshot_holder.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

namespace switchyard::proxy {
namespace {

TEST(SnapshotHolder, ReadersSeeEachPublish) {
  SnapshotHolder<std::string> h("one");
  EXPECT_EQ(*h.Get(), "one");
  EXPECT_EQ(h->size(), 3u);
  h.Publish(std::make_shared<const std::string>("three"));
  EXPECT_EQ(*h.Get(), "three");
  std::string seen;
  std::thread([&] { seen = *h.Get(); }).join();  // another thread's cache starts empty
  EXPECT_EQ(seen, "three");
  std::thread([&] { h.Publish(std::make_shared<const std::string>("four")); }).join();
  EXPECT_EQ(*h.Get(), "four");  // this thread's cached "three" is replaced
}

TEST(SnapshotHolder, KeptSnapshotOutlivesPublish) {
  SnapshotHolder<std::string> h("old");
  std::shared_ptr<const std::string> kept = h.Get();
  h.Publish(std::make_shared<const std::string>("new"));
  EXPECT_EQ(*kept, "old");
  EXPECT_EQ(*h.Get(), "new");
}

TEST(SnapshotHolder, HoldersDoNotShareACache) {
  // Same type, same version numbers: the per-thread cache must still tell them apart, also
  // when a holder is created where a destroyed one lived.
  auto a = std::make_unique<SnapshotHolder<std::string>>("a");
  EXPECT_EQ(*a->Get(), "a");
  SnapshotHolder<std::string> b("b");
  EXPECT_EQ(*b.Get(), "b");
  EXPECT_EQ(*a->Get(), "a");
  a.reset();
  auto c = std::make_unique<SnapshotHolder<std::string>>("c");
  EXPECT_EQ(*c->Get(), "c");
}

}  // namespace
}  // namespace switchyard::proxy
